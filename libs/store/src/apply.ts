import { diffApply } from './apply-changes';
import { change, currentRevision, now, type StoreContext } from './context';
import { ConsumerEntity, RouteEntity, RuleEntity } from './entities';
import { invalid } from './errors';
import { planApply, REDACTED } from './apply-parse';
import { secretChanged } from './revocations';
import { consumerAad } from './secret-box';
import { readSettings, writeSettings } from './settings';
import { syncSigningKeys } from './signing-keys';
import type { ApplyResult } from './store-api';

const CHUNK = 200;

/**
 * `/v1/apply` (docs/admin-api.md, docs/higress-mapping.md): replaces settings, consumers and rules in ONE write transaction (one
 * revision bump); routes are untouched. A consumer keeps its created_at when its name survives.
 * A dry run does the same work and rolls it back, so it reports exactly what a real apply would,
 * `changes` included (apply-changes.ts).
 */
export async function applyDocument(ctx: StoreContext, text: string, dryRun: boolean): Promise<ApplyResult> {
  const plan = planApply(text);
  return change(
    ctx,
    async () => {
      const { em } = ctx.db;
      const existing = new Map((await em.find(ConsumerEntity)).map((e) => [e.name, e]));
      const before = {
        consumers: [...existing.values()].map((e) => ({ name: e.name, client_id: e.client_id, secretChanged: false, scopes: e.scopes ?? null, groups: e.groups ?? [] })),
        rules: (await em.find(RuleEntity, { order: { position: 'ASC', id: 'ASC' } })).map((r, i) => ({
          position: i + 1,
          routes: r.routes,
          domains: r.domains,
          allow: r.allow,
          allow_groups: r.allow_groups ?? [],
          scopes: r.scopes ?? [],
        })),
        settings: await readSettings(ctx),
      };
      // Each stored secret is opened at most once, for the diff and for the cut-off below alike.
      const opened = new Map<ConsumerEntity, string>();
      const openOld = (e: ConsumerEntity): string => opened.get(e) ?? opened.set(e, ctx.box.open(e.secret_enc, consumerAad(e.name), `consumer "${e.name}"`)).get(e)!;
      // Whether a secret changes: only the store can tell (it opens the old one); never reported as a value.
      const secretDiffers = (c: (typeof plan.consumers)[number]): boolean => {
        const old = existing.get(c.name);
        return old !== undefined && c.client_secret !== REDACTED && openOld(old) !== c.client_secret;
      };
      const rows = plan.consumers.map((c) => {
        const old = existing.get(c.name);
        if (c.client_secret === REDACTED) {
          if (!old) invalid(`${c.path}.client_secret`, `"${REDACTED}" (a redacted export) can only keep the secret of an existing consumer`);
          return { name: c.name, client_id: c.client_id, secret_enc: old.secret_enc, created_at: old.created_at, scopes: c.scopes, groups: c.groups };
        }
        return { name: c.name, client_id: c.client_id, secret_enc: ctx.box.seal(c.client_secret, consumerAad(c.name)), created_at: old?.created_at ?? now(), scopes: c.scopes, groups: c.groups };
      });
      // A client_id that had another secret before this apply (under any name) gets the same
      // treatment as rotate-secret: its older tokens are cut off unless every alg is HS256.
      const algs = [before.settings.signing_alg, plan.settings.signing_alg];
      const oldSecrets = new Map<string, string>();
      if (algs.some((a) => a !== 'HS256')) {
        for (const e of existing.values()) oldSecrets.set(e.client_id, openOld(e));
      }
      const changedClients = plan.consumers.filter((c) => c.client_secret !== REDACTED && oldSecrets.has(c.client_id) && oldSecrets.get(c.client_id) !== c.client_secret).map((c) => c.client_id);
      const routes = new Set((await em.find(RouteEntity, { select: { name: true } })).map((r) => r.name));
      const warnings = [...plan.warnings];
      for (const r of plan.rules) {
        r.routes?.forEach((name, k) => routes.has(name) || warnings.push(`${r.routesPath}[${k}]: route ${JSON.stringify(name)} does not exist yet; rule kept`));
      }
      await ctx.db.query('DELETE FROM "rule"');
      await ctx.db.query('DELETE FROM "consumer"');
      for (let i = 0; i < rows.length; i += CHUNK) await em.insert(ConsumerEntity, rows.slice(i, i + CHUNK));
      const ruleRows = plan.rules.map((r, i) => ({ position: i + 1, routes: r.routes, domains: r.domains, allow: r.allow, allow_groups: r.allow_groups, scopes: r.scopes }));
      const changes = diffApply(before, {
        consumers: plan.consumers.map((c) => ({ name: c.name, client_id: c.client_id, secretChanged: secretDiffers(c), scopes: c.scopes, groups: c.groups })),
        rules: ruleRows,
        settings: plan.settings,
      });
      for (let i = 0; i < ruleRows.length; i += CHUNK) await em.insert(RuleEntity, ruleRows.slice(i, i + CHUNK));
      await writeSettings(ctx, plan.settings);
      await syncSigningKeys(ctx, plan.settings.signing_alg);
      for (const clientId of changedClients) await secretChanged(ctx, clientId, algs);
      return { revision: await currentRevision(ctx), warnings, applied: { consumers: rows.length, rules: ruleRows.length }, changes };
    },
    !dryRun,
  );
}
