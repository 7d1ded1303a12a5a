import { diffApply } from './apply-changes';
import { deleteByKey, insertAll, readAll, sameStored } from './bulk';
import { change, currentRevision, now, type StoreContext } from './context';
import { ConsumerEntity, RuleEntity } from './entities';
import { invalid } from './errors';
import { planApply, REDACTED } from './apply-parse';
import { secretChanged } from './revocations';
import { keptRotation, retireRotation } from './consumers';
import { consumerAad } from './secret-box';
import { readSettings, writeSettings } from './settings';
import { syncSigningKeys } from './signing-keys';
import type { ApplyResult } from './store-api';

/**
 * Writes only the consumer rows that differ (bulk.ts compares every column the entity has, so a
 * new column is covered): the removed and changed rows are deleted, then the changed and new ones
 * inserted, which keeps client_id unique at every step (a client_id may move between names). An
 * unchanged row is left alone: re-applying the same million-consumer document writes no
 * consumer row and logs none in the change history, so gateways reload only what changed.
 */
async function writeConsumers(ctx: StoreContext, existing: ReadonlyMap<string, ConsumerEntity>, rows: readonly Partial<ConsumerEntity>[]): Promise<void> {
  const planned = new Set(rows.map((r) => r.name!));
  const write = rows.filter((r) => {
    const old = existing.get(r.name!);
    return old === undefined || !sameStored(ctx, ConsumerEntity, old, r, ['id']);
  });
  const rewritten = new Set(write.map((r) => r.name!));
  const gone = [...existing.keys()].filter((name) => !planned.has(name) || rewritten.has(name));
  if (gone.length === existing.size && gone.length > 0) await ctx.db.query('DELETE FROM "consumer"');
  else await deleteByKey(ctx, 'consumer', 'name', gone);
  await insertAll(ctx, ConsumerEntity, write);
}

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
      // Raw multi-row reads and writes (bulk.ts): typeorm's find/insert cost more than the writes at 100k rows.
      const existing = new Map((await readAll(ctx, ConsumerEntity)).map((e) => [e.name, e]));
      const before = {
        consumers: [...existing.values()].map((e) => ({
          name: e.name,
          client_id: e.client_id,
          secretChanged: false,
          scopes: e.scopes ?? null,
          groups: e.groups ?? [],
          auth: { auth_method: e.auth_method ?? 'client_secret', tls_subject: e.tls_subject ?? null, tls_thumbprint: e.tls_thumbprint ?? null },
        })),
        rules: (await readAll(ctx, RuleEntity))
          .sort((a, b) => a.position - b.position || a.id - b.id)
          .map((r, i) => ({ position: i + 1, routes: r.routes, domains: r.domains, allow: r.allow, allow_groups: r.allow_groups ?? [], scopes: r.scopes ?? [] })),
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
      const createdAt = now();
      const rows = plan.consumers.map((c) => {
        const old = existing.get(c.name);
        if (c.client_secret === REDACTED) {
          if (!old) invalid(`${c.path}.client_secret`, `"${REDACTED}" (a redacted export) can only keep the secret of an existing consumer`);
          return {
            name: c.name,
            client_id: c.client_id,
            secret_enc: old.secret_enc,
            created_at: old.created_at,
            scopes: c.scopes,
            groups: c.groups,
            ...c.auth,
            ...keptRotation(old, c.client_id, true),
          };
        }
        // An unchanged secret keeps its sealed bytes: only new or changed secrets are sealed.
        const same = old !== undefined && !secretDiffers(c);
        const secret_enc = same ? old.secret_enc : ctx.box.seal(c.client_secret, consumerAad(c.name));
        // Rotation state is not in the document (SPEC §8.5): a kept secret keeps a running grace, a changed one ends it.
        return { name: c.name, client_id: c.client_id, secret_enc, created_at: old?.created_at ?? createdAt, scopes: c.scopes, groups: c.groups, ...c.auth, ...keptRotation(old, c.client_id, same) };
      });
      // A rotation with grace survives an apply that keeps the consumer as it is; one that does not keep it retires it (consumers.ts).
      const kept = new Set(rows.filter((r) => r.rotated_at !== null).map((r) => r.name));
      const planIds = new Set(plan.consumers.map((c) => c.client_id));
      const retired = [...existing.values()].filter((e) => e.rotated_at !== null && !kept.has(e.name) && planIds.has(e.client_id));
      // A client_id that had another secret before this apply (under any name) gets the same
      // treatment as rotate-secret: its older tokens are cut off unless every alg is HS256.
      const algs = [before.settings.signing_alg, plan.settings.signing_alg];
      const oldSecrets = new Map<string, string>();
      if (algs.some((a) => a !== 'HS256')) {
        for (const e of existing.values()) oldSecrets.set(e.client_id, openOld(e));
      }
      const changedClients = plan.consumers.filter((c) => c.client_secret !== REDACTED && oldSecrets.has(c.client_id) && oldSecrets.get(c.client_id) !== c.client_secret).map((c) => c.client_id);
      const routes = new Set((await ctx.db.query<{ name: string }[]>('SELECT "name" FROM "route"')).map((r) => r.name));
      const warnings = [...plan.warnings];
      for (const r of plan.rules) {
        r.routes?.forEach((name, k) => routes.has(name) || warnings.push(`${r.routesPath}[${k}]: route ${JSON.stringify(name)} does not exist yet; rule kept`));
      }
      await ctx.db.query('DELETE FROM "rule"');
      await writeConsumers(ctx, existing, rows);
      const ruleRows = plan.rules.map((r, i) => ({ position: i + 1, routes: r.routes, domains: r.domains, allow: r.allow, allow_groups: r.allow_groups, scopes: r.scopes }));
      const changes = diffApply(before, {
        consumers: plan.consumers.map((c) => ({ name: c.name, client_id: c.client_id, secretChanged: secretDiffers(c), scopes: c.scopes, groups: c.groups, auth: c.auth })),
        rules: ruleRows,
        settings: plan.settings,
      });
      await insertAll(ctx, RuleEntity, ruleRows);
      await writeSettings(ctx, plan.settings);
      await syncSigningKeys(ctx, plan.settings.signing_alg);
      for (const clientId of changedClients) await secretChanged(ctx, clientId, algs);
      for (const e of retired) await retireRotation(ctx, e);
      return { revision: await currentRevision(ctx), warnings, applied: { consumers: rows.length, rules: ruleRows.length }, changes };
    },
    !dryRun,
  );
}
