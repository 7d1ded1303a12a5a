import type { RevocationRecords } from '@oauth2/core';
import { IsNull, MoreThanOrEqual, Not } from 'typeorm';
import { change, emptyPage, now, paging, type StoreContext } from './context';
import { ConsumerEntity, RevocationEntity } from './entities';
import { invalid, notFound } from './errors';
import { readSettings } from './settings';
import type { DeleteResult, Page, RevocationInput, RevocationView } from './store-api';
import { checkClientId } from './validate';

// Token revocation (docs/revocation.md). Every write is one change(): purge + upsert + revision bump.

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
/** 9999-12-31T23:59:59Z: any later `exp` is not a time. */
const MAX_EXP = 253_402_300_799;
const MAX_JTI = 1024;

function view(e: RevocationEntity): RevocationView {
  if (e.jti !== null) {
    return { id: e.id, jti: e.jti, ...(e.jti_client_id !== null ? { client_id: e.jti_client_id } : {}), exp: e.exp as number, created_at: e.created_at };
  }
  return { id: e.id, client_id: e.client_id as string, revoked_before: e.revoked_before as number, created_at: e.created_at };
}

type Checked = { jti?: string; exp?: number; client_id?: string };

function checkInput(input: RevocationInput): Checked {
  const hasJti = input.jti !== undefined && input.jti !== null;
  const hasClient = input.client_id !== undefined && input.client_id !== null;
  if (!hasJti && !hasClient) invalid('jti', 'give jti, client_id, or both (a jti of that client only)');
  if (input.exp !== undefined && input.exp !== null) {
    if (!hasJti) invalid('exp', 'is only allowed with jti');
    if (!Number.isSafeInteger(input.exp) || input.exp < 0 || input.exp > MAX_EXP) invalid('exp', `${input.exp} must be a unix time in seconds`);
  }
  const clientId = hasClient ? checkClientId(input.client_id, 'client_id') : undefined;
  if (!hasJti) return { client_id: clientId };
  const jti = input.jti as unknown;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI || /[\x00-\x1f\x7f]/.test(jti)) {
    invalid('jti', `must be 1-${MAX_JTI} characters without control characters`);
  }
  return { jti, ...(clientId !== undefined ? { client_id: clientId } : {}), ...(input.exp !== undefined && input.exp !== null ? { exp: input.exp } : {}) };
}

/** Drops jti revocations whose token can no longer verify (exp + clock skew passed). */
async function purgeExpired(ctx: StoreContext, t: number, skew: number): Promise<void> {
  await ctx.db.query('DELETE FROM "revocation" WHERE "exp" IS NOT NULL AND "exp" + ? < ?', [skew, t]);
}

/**
 * A jti revocation is for one client (`client_id` given: only that client's token with the jti is
 * refused) or, an operator's choice, for every client. It is kept until `exp`; without one, until
 * the operator deletes it (stored as year 9999): no bound derived from today's token_ttl holds
 * when token_ttl is raised later or the token came from Higress (docs/revocation.md). A second
 * revocation of the same (jti, client) keeps the later of the two. A client alone is a cut-off at
 * "now": tokens issued in an earlier second are refused, tokens issued from this second on work
 * (iat has 1 s resolution, and refusing the current second would also kill tokens fetched right after).
 */
export async function revoke(ctx: StoreContext, input: RevocationInput): Promise<RevocationView> {
  const r = checkInput(input);
  return change(ctx, async () => {
    const s = await readSettings(ctx);
    const t = nowSeconds();
    await purgeExpired(ctx, t, s.clock_skew_seconds);
    if (r.jti !== undefined) return upsertJti(ctx, r.jti, r.client_id ?? null, r.exp ?? MAX_EXP);
    const clientId = r.client_id as string;
    if (!(await ctx.db.em.exists(ConsumerEntity, { where: { client_id: clientId } }))) notFound('client_id', `no consumer has client_id ${JSON.stringify(clientId)}`);
    return cutOffClient(ctx, clientId, t);
  });
}

/**
 * The RFC 7009 endpoint's write: `clientId`'s token `jti`, until `exp` — never later than a token
 * issued now could live (now + token_ttl + 2 x clock skew: an iat may be up to the skew ahead), so
 * a client cannot fill the table with rows that outlive its tokens.
 */
export async function revokeClientJti(ctx: StoreContext, jti: string, exp: number, clientId: string): Promise<RevocationView> {
  const r = checkInput({ jti, exp, client_id: clientId });
  return change(ctx, async () => {
    const s = await readSettings(ctx);
    const t = nowSeconds();
    await purgeExpired(ctx, t, s.clock_skew_seconds);
    return upsertJti(ctx, r.jti as string, r.client_id as string, Math.min(r.exp as number, t + s.token_ttl + 2 * s.clock_skew_seconds));
  });
}

async function upsertJti(ctx: StoreContext, jti: string, clientId: string | null, exp: number): Promise<RevocationView> {
  const em = ctx.db.em;
  const old = await em.findOne(RevocationEntity, { where: { jti, jti_client_id: clientId === null ? IsNull() : clientId } });
  if (old) {
    old.exp = Math.max(old.exp as number, exp);
    await em.update(RevocationEntity, { id: old.id }, { exp: old.exp });
    return view(old);
  }
  const row = { jti, jti_client_id: clientId, exp, client_id: null, revoked_before: null, created_at: now() };
  const res = await em.insert(RevocationEntity, row);
  return view(Object.assign(new RevocationEntity(), row, { id: res.identifiers[0].id as number }));
}

/**
 * Inside a change(): refuse every token of `clientId` issued before second `t` (one row per
 * client; a later cut-off only moves it forward).
 */
export async function cutOffClient(ctx: StoreContext, clientId: string, t = nowSeconds()): Promise<RevocationView> {
  const em = ctx.db.em;
  const old = await em.findOne(RevocationEntity, { where: { client_id: clientId } });
  if (old) {
    old.revoked_before = Math.max(old.revoked_before as number, t);
    await em.update(RevocationEntity, { id: old.id }, { revoked_before: old.revoked_before });
    return view(old);
  }
  const row = { jti: null, jti_client_id: null, exp: null, client_id: clientId, revoked_before: t, created_at: now() };
  const res = await em.insert(RevocationEntity, row);
  return view(Object.assign(new RevocationEntity(), row, { id: res.identifiers[0].id as number }));
}

/**
 * Inside a change() that gave `clientId` a new secret — rotate-secret and /v1/apply alike. HS256
 * tokens are signed with the secret, so the new one already invalidates them. Tokens signed with
 * the gateway's own key are not, and a leaked secret could have minted some: when any of
 * `signingAlgs` (the setting before and after the write) is not HS256, the client's older tokens
 * are cut off in the same write.
 */
export async function secretChanged(ctx: StoreContext, clientId: string, signingAlgs: readonly string[]): Promise<void> {
  if (signingAlgs.some((a) => a !== 'HS256')) await cutOffClient(ctx, clientId);
}

/** Active revocations by id: every client cut-off, and the jti ones not yet expired. */
export async function listRevocations(ctx: StoreContext, limit: number, offset: number): Promise<Page<RevocationView>> {
  const { take, skip } = paging(limit, offset);
  return ctx.db.read(async () => {
    const s = await readSettings(ctx);
    const where = [{ client_id: Not(IsNull()) }, { exp: MoreThanOrEqual(nowSeconds() - s.clock_skew_seconds) }];
    if (take === 0) return emptyPage(await ctx.db.em.count(RevocationEntity, { where }));
    const [rows, total] = await ctx.db.em.findAndCount(RevocationEntity, { where, order: { id: 'ASC' }, take, skip });
    return { items: rows.map(view), total };
  });
}

export async function deleteRevocation(ctx: StoreContext, id: number): Promise<DeleteResult> {
  return change(ctx, async () => {
    const e = Number.isSafeInteger(id) ? await ctx.db.em.findOne(RevocationEntity, { where: { id } }) : null;
    if (!e) notFound('id', `revocation ${id} not found`);
    await ctx.db.em.delete(RevocationEntity, { id });
    return { deleted: String(id), rules_updated: [], rules_deleted: [], rules_emptied: [] };
  });
}

/** For the snapshot load (inside its read transaction): every stored revocation, plain SQL like the rest of it. */
export async function loadRevocations(ctx: StoreContext): Promise<RevocationRecords> {
  type Row = { jti: string | null; jti_client_id: string | null; exp: number | null; client_id: string | null; revoked_before: number | null };
  const rows = await ctx.db.query<Row[]>('SELECT "jti", "jti_client_id", "exp", "client_id", "revoked_before" FROM "revocation" ORDER BY "id" ASC');
  const out: RevocationRecords = { jtis: [], clients: [] };
  for (const r of rows) {
    if (r.jti !== null) out.jtis.push({ jti: r.jti, exp: Number(r.exp), client_id: r.jti_client_id });
    else out.clients.push({ client_id: r.client_id as string, revoked_before: r.revoked_before as number });
  }
  return out;
}
