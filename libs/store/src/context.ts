import { ConsumerEntity, RouteEntity, RuleEntity } from './entities';
import { currentIntent, insertAudit } from './audit';
import { invalid } from './errors';
import { capHistory } from './history';
import type { SecretBox } from './secret-box';
import type { ConsumerView, Page, RouteView, RuleView } from './store-api';
import type { Db } from './tx';

/** What the store's feature modules share: the serialized connection and the secret box. */
export interface StoreContext {
  db: Db;
  box: SecretBox;
}

/** The PostgreSQL channel a committed write notifies, with the new revision as payload (gateways LISTEN). */
export const REVISION_CHANNEL = 'oauth2_revision';

/**
 * A config write: one write transaction that also bumps the revision; returns fn's result. On
 * PostgreSQL it also queues a NOTIFY, which the server delivers only if (and when) it commits.
 * Inside an admin API request (`withAudit`, audit.ts) it also inserts the request's audit row, in
 * the same transaction: a write that rolls back (an error, a dry run) leaves no row.
 */
export function change<T>(ctx: StoreContext, fn: () => Promise<T>, commit = true): Promise<T> {
  const intent = currentIntent();
  return ctx.db.write(
    async () => {
      await ctx.db.query('UPDATE "revision" SET "value" = "value" + 1 WHERE "id" = 1');
      if (ctx.db.dialect === 'postgres') await ctx.db.query(`SELECT pg_notify('${REVISION_CHANNEL}', "value"::text) FROM "revision" WHERE "id" = 1`);
      const out = await fn();
      // The change history stays bounded even with no gateway heartbeating (history.ts).
      if (commit) await capHistory(ctx);
      if (intent && commit) await insertAudit(ctx, intent, out);
      return out;
    },
    { commit },
  );
}

export async function currentRevision(ctx: StoreContext): Promise<number> {
  const rows = await ctx.db.query<{ value: number }[]>('SELECT "value" FROM "revision" WHERE "id" = 1');
  return rows[0].value;
}

export const now = (): string => new Date().toISOString();

/** Validates paging arguments; the API applies its defaults (1000, max 10000) before calling. */
export function paging(limit: number, offset: number): { take: number; skip: number } {
  if (!Number.isSafeInteger(limit) || limit < 0) invalid('limit', `${limit} must be an integer >= 0`);
  if (!Number.isSafeInteger(offset) || offset < 0) invalid('offset', `${offset} must be an integer >= 0`);
  return { take: limit, skip: offset };
}

/** typeorm treats take: 0 as "no limit"; a page of 0 items still reports the total. */
export function emptyPage<T>(total: number): Page<T> {
  return { items: [], total };
}

export function consumerView(e: ConsumerEntity): ConsumerView {
  return {
    name: e.name,
    client_id: e.client_id,
    created_at: e.created_at,
    scopes: e.scopes ?? null,
    groups: e.groups ?? [],
    previous_secret_expires_at: previousSecretExpiry(e),
    auth_method: e.auth_method ?? 'client_secret',
    tls_subject: e.tls_subject ?? null,
    tls_thumbprint: e.tls_thumbprint ?? null,
  };
}

/** The grace end of a rotation while it lasts (ISO), else null: an expired previous secret is gone. */
export function previousSecretExpiry(e: Pick<ConsumerEntity, 'previous_secret_expires_at' | 'previous_secret_enc'>): string | null {
  const t = e.previous_secret_expires_at == null ? null : Number(e.previous_secret_expires_at);
  return t === null || e.previous_secret_enc == null || t <= Math.floor(Date.now() / 1000) ? null : new Date(t * 1000).toISOString();
}

export function routeView(e: RouteEntity): RouteView {
  return { name: e.name, hosts: e.hosts, path_prefix: e.path_prefix, upstream: e.upstream, strip_prefix: e.strip_prefix, created_at: e.created_at };
}

export function ruleView(e: RuleEntity): RuleView {
  const v: RuleView = { id: e.id, position: e.position, allow: e.allow, allow_groups: e.allow_groups ?? [], scopes: e.scopes ?? [] };
  if (e.routes) v.routes = e.routes;
  else v.domains = e.domains ?? [];
  return v;
}

/** Rules in evaluation order. */
export function allRules(ctx: StoreContext): Promise<RuleEntity[]> {
  return ctx.db.em.find(RuleEntity, { order: { position: 'ASC', id: 'ASC' } });
}
