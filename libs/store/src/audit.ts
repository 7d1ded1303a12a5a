import { AsyncLocalStorage } from 'node:async_hooks';
import { currentRevision, emptyPage, now, paging, type StoreContext } from './context';
import type { AuditIntent, AuditQuery, AuditView, Page } from './store-api';

/**
 * The audit intent of the admin API request in progress. The admin API runs each request's handler
 * inside `withAudit` (its guard knows the actor, the route declares the action); every write path
 * of the store funnels through `change()` (context.ts), which reads the intent here and inserts the
 * row in the write's own transaction. A write made outside any intent (the gateway's RFC 7009
 * endpoint, start-up housekeeping) is not audited.
 */
const scope = new AsyncLocalStorage<AuditIntent>();

export function withAudit<T>(intent: AuditIntent, fn: () => T): T {
  return scope.run(intent, fn);
}

/** The intent in force now (read synchronously when a write is queued, before any await). */
export function currentIntent(): AuditIntent | undefined {
  return scope.getStore();
}

/** Inserts the intent's row; call inside the write transaction, after the change (and its revision bump). */
export async function insertAudit(ctx: StoreContext, intent: AuditIntent, result: unknown): Promise<void> {
  const { target, summary } = intent.describe(result);
  const revision = await currentRevision(ctx);
  const a = intent.actor;
  await ctx.db.query('INSERT INTO "audit" ("at", "actor", "role", "action", "target", "revision", "source_ip", "request_id", "summary") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [
    now(),
    a.name,
    a.role,
    intent.action,
    target,
    revision,
    a.source_ip ?? null,
    a.request_id ?? null,
    JSON.stringify(summary),
  ]);
}

/**
 * A write that does not bump the revision (admin tokens: gateways need not reload on them) but is
 * audited like every other, in its own transaction.
 */
export function auditedWrite<T>(ctx: StoreContext, fn: () => Promise<T>): Promise<T> {
  const intent = currentIntent();
  return ctx.db.write(async () => {
    const out = await fn();
    if (intent) await insertAudit(ctx, intent, out);
    return out;
  });
}

interface AuditRow extends Omit<AuditView, 'summary'> {
  summary: string;
}

const toView = (r: AuditRow): AuditView => ({
  id: Number(r.id),
  at: r.at,
  actor: r.actor,
  role: r.role,
  action: r.action,
  target: r.target,
  revision: Number(r.revision),
  source_ip: r.source_ip,
  request_id: r.request_id,
  summary: JSON.parse(r.summary) as Record<string, unknown>,
});

export async function listAudit(ctx: StoreContext, q: AuditQuery): Promise<Page<AuditView>> {
  const { take, skip } = paging(q.limit, q.offset);
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (cond: string, value: unknown): void => {
    where.push(cond);
    params.push(value);
  };
  if (q.actor !== undefined) add('"actor" = ?', q.actor);
  if (q.target !== undefined) add('"target" = ?', q.target);
  if (q.action !== undefined) {
    if (q.action.endsWith('*')) {
      add(`"action" LIKE ? ESCAPE '\\'`, q.action.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`) + '%');
    } else {
      add('"action" = ?', q.action);
    }
  }
  if (q.since_revision !== undefined) add('"revision" > ?', q.since_revision);
  const cond = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  return ctx.db.read(async () => {
    const [{ n }] = await ctx.db.query<{ n: number | string }[]>(`SELECT COUNT(*) AS "n" FROM "audit"${cond}`, params);
    const total = Number(n);
    if (take === 0) return emptyPage(total);
    const rows = await ctx.db.query<AuditRow[]>(`SELECT * FROM "audit"${cond} ORDER BY "id" DESC LIMIT ? OFFSET ?`, [...params, take, skip]);
    return { items: rows.map(toView), total };
  });
}

export function pruneAudit(ctx: StoreContext, before: string): Promise<number> {
  return ctx.db.write(async () => {
    const [{ n }] = await ctx.db.query<{ n: number | string }[]>('SELECT COUNT(*) AS "n" FROM "audit" WHERE "at" < ?', [before]);
    if (Number(n) > 0) await ctx.db.query('DELETE FROM "audit" WHERE "at" < ?', [before]);
    return Number(n);
  });
}
