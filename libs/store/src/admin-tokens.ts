import { createHash, randomBytes } from 'node:crypto';
import { auditedWrite } from './audit';
import { now, type StoreContext } from './context';
import { conflict, invalid, isUniqueViolation, notFound } from './errors';
import { ADMIN_ROLES, type AdminRole, type AdminTokenView, type AdminTokenWithSecret } from './store-api';
import { checkName } from './validate';

/** The bootstrap token's name: it has no row (it lives in OAUTH2_ADMIN_TOKEN / admin.token). */
export const ROOT_TOKEN_NAME = 'root';
/** `expires_in` bounds, seconds: one minute to one year. */
export const MIN_EXPIRES_IN = 60;
export const MAX_EXPIRES_IN = 365 * 24 * 3600;

/** SHA-256 hex: enough for 256-bit random tokens (no dictionary to run against). */
export const hashAdminToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

interface Row {
  name: string;
  role: AdminRole;
  token_hash: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

const view = (r: Row): AdminTokenView => ({ name: r.name, role: r.role, created_at: r.created_at, expires_at: r.expires_at, last_used_at: r.last_used_at });

export async function createAdminToken(ctx: StoreContext, input: { name: string; role: string; expires_in?: number }): Promise<AdminTokenWithSecret> {
  const name = checkName(input.name, 'name');
  if (name === ROOT_TOKEN_NAME) conflict('name', `"${ROOT_TOKEN_NAME}" is the bootstrap token (OAUTH2_ADMIN_TOKEN / admin.token); pick another name`);
  if (!(ADMIN_ROLES as readonly string[]).includes(input.role)) invalid('role', `${JSON.stringify(input.role)} is not a role (one of ${ADMIN_ROLES.join(', ')})`);
  const e = input.expires_in;
  if (e !== undefined && (!Number.isSafeInteger(e) || e < MIN_EXPIRES_IN || e > MAX_EXPIRES_IN)) {
    invalid('expires_in', `${e} must be an integer number of seconds from ${MIN_EXPIRES_IN} to ${MAX_EXPIRES_IN}`);
  }
  const token = randomBytes(32).toString('base64url');
  const created = now();
  const row: Row = {
    name,
    role: input.role as AdminRole,
    token_hash: hashAdminToken(token),
    created_at: created,
    expires_at: e === undefined ? null : new Date(Date.parse(created) + e * 1000).toISOString(),
    last_used_at: null,
  };
  return auditedWrite(ctx, async () => {
    const [{ n }] = await ctx.db.query<{ n: number | string }[]>('SELECT COUNT(*) AS "n" FROM "admin_token" WHERE "name" = ?', [name]);
    if (Number(n) > 0) conflict('name', `admin token ${JSON.stringify(name)} already exists`);
    try {
      await ctx.db.query('INSERT INTO "admin_token" ("name", "role", "token_hash", "created_at", "expires_at", "last_used_at") VALUES (?, ?, ?, ?, ?, NULL)', [
        row.name,
        row.role,
        row.token_hash,
        row.created_at,
        row.expires_at,
      ]);
    } catch (err) {
      if (isUniqueViolation(err)) conflict('name', `admin token ${JSON.stringify(name)} already exists`);
      throw err;
    }
    return { ...view(row), token };
  });
}

export function listAdminTokens(ctx: StoreContext): Promise<AdminTokenView[]> {
  return ctx.db.exclusive(async () => (await ctx.db.query<Row[]>('SELECT * FROM "admin_token" ORDER BY "name"')).map(view));
}

export function deleteAdminToken(ctx: StoreContext, name: string): Promise<{ deleted: string }> {
  if (name === ROOT_TOKEN_NAME) {
    conflict('name', `"${ROOT_TOKEN_NAME}" is the bootstrap token and cannot be deleted through the API; change OAUTH2_ADMIN_TOKEN (or the data dir's admin.token) and restart instead`);
  }
  return auditedWrite(ctx, async () => {
    const [{ n }] = await ctx.db.query<{ n: number | string }[]>('SELECT COUNT(*) AS "n" FROM "admin_token" WHERE "name" = ?', [name]);
    if (Number(n) === 0) notFound('name', `admin token ${JSON.stringify(name)} not found`);
    await ctx.db.query('DELETE FROM "admin_token" WHERE "name" = ?', [name]);
    return { deleted: name };
  });
}

export function findAdminToken(ctx: StoreContext, tokenHash: string): Promise<(AdminTokenView & { token_hash: string }) | null> {
  return ctx.db.exclusive(async () => {
    const rows = await ctx.db.query<Row[]>('SELECT * FROM "admin_token" WHERE "token_hash" = ?', [tokenHash]);
    return rows.length ? { ...view(rows[0]), token_hash: rows[0].token_hash } : null;
  });
}

export function touchAdminToken(ctx: StoreContext, name: string, at: string): Promise<void> {
  return ctx.db.write(async () => {
    await ctx.db.query('UPDATE "admin_token" SET "last_used_at" = ? WHERE "name" = ?', [at, name]);
  });
}
