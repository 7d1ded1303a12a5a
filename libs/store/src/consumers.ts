import { randomBytes, randomUUID } from 'node:crypto';
import { change, consumerView, emptyPage, now, paging, type StoreContext } from './context';
import { ConsumerEntity, RuleEntity } from './entities';
import { conflict, invalid, isUniqueViolation, notFound } from './errors';
import { cutOffClient, secretChanged } from './revocations';
import { consumerAad, previousSecretAad } from './secret-box';
import { readSettings } from './settings';
import type { ConsumerInput, ConsumerPatch, ConsumerView, ConsumerWithSecret, DeleteResult, Page } from './store-api';
import { checkClientId, checkClientSecret, checkConsumerAuth, checkConsumerScopes, checkGroups, checkName } from './validate';

/** A generated secret: 32 random bytes, base64url (43 characters). */
export const generateSecret = (): string => randomBytes(32).toString('base64url');

async function findByName(ctx: StoreContext, name: string): Promise<ConsumerEntity> {
  const e = await ctx.db.em.findOne(ConsumerEntity, { where: { name } });
  if (!e) notFound('name', `consumer ${JSON.stringify(name)} not found`);
  return e;
}

export async function createConsumer(ctx: StoreContext, input: ConsumerInput): Promise<ConsumerWithSecret> {
  const name = checkName(input.name, 'name');
  const clientId = input.client_id === undefined ? randomUUID() : checkClientId(input.client_id, 'client_id');
  const secret = input.client_secret === undefined ? generateSecret() : checkClientSecret(input.client_secret, 'client_secret');
  const scopes = input.scopes === undefined ? null : checkConsumerScopes(input.scopes, 'scopes');
  const groups = input.groups === undefined ? [] : checkGroups(input.groups, 'groups');
  const auth = checkConsumerAuth(input);
  return change(ctx, async () => {
    const em = ctx.db.em;
    if (await em.exists(ConsumerEntity, { where: { name } })) conflict('name', `consumer ${JSON.stringify(name)} already exists`);
    if (await em.exists(ConsumerEntity, { where: { client_id: clientId } })) conflict('client_id', `client_id ${JSON.stringify(clientId)} is already used by another consumer`);
    const row = { name, client_id: clientId, secret_enc: ctx.box.seal(secret, consumerAad(name)), created_at: now(), scopes, groups, ...auth };
    try {
      await em.insert(ConsumerEntity, row);
    } catch (err) {
      if (isUniqueViolation(err)) conflict('name', `consumer ${JSON.stringify(name)} or its client_id already exists`);
      throw err;
    }
    return { name, client_id: clientId, created_at: row.created_at, scopes, groups, previous_secret_expires_at: null, ...auth, client_secret: secret };
  });
}

/**
 * PATCH: replaces scopes and/or groups (SPEC §8.1) and the client authentication (SPEC §13); the
 * gateway enforces them at its next reload, also for tokens already issued. A changed auth_method
 * drops the previous method's tls_subject / tls_thumbprint unless the patch gives it again.
 */
export async function updateConsumer(ctx: StoreContext, name: string, patch: ConsumerPatch): Promise<ConsumerView> {
  const set: Partial<Pick<ConsumerEntity, 'scopes' | 'groups' | 'auth_method' | 'tls_subject' | 'tls_thumbprint'>> = {};
  if (patch.scopes !== undefined) set.scopes = checkConsumerScopes(patch.scopes, 'scopes');
  if (patch.groups !== undefined) set.groups = checkGroups(patch.groups, 'groups');
  const authPatched = patch.auth_method !== undefined || patch.tls_subject !== undefined || patch.tls_thumbprint !== undefined;
  return change(ctx, async () => {
    const e = await findByName(ctx, name);
    if (authPatched) {
      const method = patch.auth_method ?? e.auth_method ?? 'client_secret';
      const keep = method === (e.auth_method ?? 'client_secret');
      Object.assign(
        set,
        checkConsumerAuth({
          auth_method: method,
          tls_subject: patch.tls_subject !== undefined ? patch.tls_subject : keep ? e.tls_subject : null,
          tls_thumbprint: patch.tls_thumbprint !== undefined ? patch.tls_thumbprint : keep ? e.tls_thumbprint : null,
        }),
      );
    }
    if (Object.keys(set).length > 0) await ctx.db.em.update(ConsumerEntity, { id: e.id }, set);
    return consumerView(Object.assign(e, set));
  });
}

/** LIKE pattern for "contains `text`", case-insensitive on both dialects; `%`, `_` and `\\` match themselves. */
const containsPattern = (text: string): string => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Consumers by name; `search` keeps those whose name or client_id contains it (any case), `group`
 * the members of that group (its JSON spelling `"g"` inside the groups array: names hold no quote).
 */
export async function listConsumers(ctx: StoreContext, limit: number, offset: number, search?: string, group?: string): Promise<Page<ConsumerView>> {
  const { take, skip } = paging(limit, offset);
  if (group !== undefined) checkName(group, 'group');
  return ctx.db.read(async () => {
    const qb = ctx.db.em.createQueryBuilder(ConsumerEntity, 'c').orderBy('c.name', 'ASC');
    if (search) qb.where(`(LOWER(c.name) LIKE :p ESCAPE '\\' OR LOWER(c.client_id) LIKE :p ESCAPE '\\')`, { p: containsPattern(search) });
    // Exact and case-sensitive (SQLite's LIKE ignores ASCII case): a substring search for `"g"`.
    if (group !== undefined) qb.andWhere(ctx.db.dialect === 'postgres' ? 'strpos(c.groups, :g) > 0' : 'instr(c.groups, :g) > 0', { g: JSON.stringify(group) });
    if (take === 0) return emptyPage(await qb.getCount());
    const [rows, total] = await qb.take(take).skip(skip).getManyAndCount();
    return { items: rows.map(consumerView), total };
  });
}

export function getConsumer(ctx: StoreContext, name: string): Promise<ConsumerView> {
  return ctx.db.exclusive(async () => consumerView(await findByName(ctx, name)));
}

/** The longest grace_seconds of a rotation: 30 days. */
export const MAX_GRACE_SECONDS = 2_592_000;

function checkGrace(v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_GRACE_SECONDS) invalid('grace_seconds', `${String(v)} must be an integer from 0 to ${MAX_GRACE_SECONDS} (seconds)`);
  return v;
}

const NO_ROTATION = { previous_secret_enc: null, rotated_at: null, previous_secret_expires_at: null } as const;

/**
 * Replaces a consumer's secret (SPEC §8.4). `graceSeconds` 0 (the default) is the plain rotation:
 * the old secret dies at the next reload (and secretChanged cuts off gateway-key tokens). With a
 * grace, the old secret is kept, sealed under its own AAD, with the rotation time and the grace
 * end: gateways accept it until then and enforce the end by comparing with now (core snapshot.ts
 * PreviousSecret). One previous secret at most: a rotation drops the one before at once.
 */
export async function rotateSecret(ctx: StoreContext, name: string, clientSecret?: string, graceSeconds?: number): Promise<ConsumerWithSecret> {
  const secret = clientSecret === undefined ? generateSecret() : checkClientSecret(clientSecret, 'client_secret');
  const grace = checkGrace(graceSeconds);
  return change(ctx, async () => {
    const e = await findByName(ctx, name);
    await retireRotation(ctx, e);
    const sealed = ctx.box.seal(secret, consumerAad(e.name));
    if (grace === 0) {
      await ctx.db.em.update(ConsumerEntity, { id: e.id }, { secret_enc: sealed, ...NO_ROTATION });
      await secretChanged(ctx, e.client_id, [(await readSettings(ctx)).signing_alg]);
      return { ...consumerView({ ...e, ...NO_ROTATION }), client_secret: secret };
    }
    const t = Math.floor(Date.now() / 1000);
    const previous = ctx.box.seal(ctx.box.open(e.secret_enc, consumerAad(e.name), `consumer "${e.name}"`), previousSecretAad(e.name));
    const rotation = { previous_secret_enc: previous, rotated_at: t, previous_secret_expires_at: t + grace };
    await ctx.db.em.update(ConsumerEntity, { id: e.id }, { secret_enc: sealed, ...rotation });
    return { ...consumerView({ ...e, ...rotation }), client_secret: secret };
  });
}

/**
 * Inside a change() that replaces `e`'s rotation record (a new rotation, an apply that changes its
 * secret): the record's rule — tokens issued before its rotation are refused once its grace ends —
 * must not vanish with it (gateway-key tokens from before it would live again), so it becomes a
 * lasting client cut-off at that rotation time: "rotating again drops the older one at once".
 */
export async function retireRotation(ctx: StoreContext, e: Pick<ConsumerEntity, 'client_id' | 'rotated_at'>): Promise<void> {
  if (e.rotated_at !== null) await cutOffClient(ctx, e.client_id, Number(e.rotated_at));
}

/**
 * For apply (which re-inserts every consumer): the rotation columns a consumer keeps — only when
 * its name, client_id and secret are all unchanged; otherwise none (and the caller retires the old record).
 */
export function keptRotation(old: ConsumerEntity | undefined, clientId: string, sameSecret: boolean): Pick<ConsumerEntity, 'previous_secret_enc' | 'rotated_at' | 'previous_secret_expires_at'> {
  if (old === undefined || old.rotated_at === null || old.client_id !== clientId || !sameSecret) return NO_ROTATION;
  return { previous_secret_enc: old.previous_secret_enc, rotated_at: old.rotated_at, previous_secret_expires_at: old.previous_secret_expires_at };
}

/**
 * Removes `name` from the `key` list of every rule. Without `force`, any reference is a conflict.
 * A delete never widens access: a rule whose who-lists (`allow`, `allow_groups`) the delete leaves
 * empty would admit every consumer holding its scopes, so its scopes are cleared too and it stays,
 * allowing nobody (`rules_emptied`); a rule whose `routes` are all gone can match nothing and is
 * deleted (`rules_deleted`).
 */
export async function detachFromRules(ctx: StoreContext, key: 'allow' | 'routes', name: string, force: boolean, what: string): Promise<Omit<DeleteResult, 'deleted'>> {
  const em = ctx.db.em;
  const rules = (await em.find(RuleEntity, { order: { position: 'ASC', id: 'ASC' } })).filter((r) => r[key]?.includes(name));
  if (rules.length > 0 && !force) {
    conflict('name', `${what} ${JSON.stringify(name)} is used by rule(s) ${rules.map((r) => r.id).join(', ')}; delete with force=true to remove it from them`);
  }
  const result = { rules_updated: [] as number[], rules_deleted: [] as number[], rules_emptied: [] as number[] };
  for (const r of rules) {
    const rest = (r[key] as string[]).filter((x) => x !== name);
    if (rest.length === 0 && key === 'routes') {
      await em.delete(RuleEntity, { id: r.id });
      result.rules_deleted.push(r.id);
    } else if (rest.length === 0 && (r.allow_groups ?? []).length === 0) {
      await em.update(RuleEntity, { id: r.id }, { allow: [], scopes: [] });
      result.rules_emptied.push(r.id);
    } else {
      await em.update(RuleEntity, { id: r.id }, { [key]: rest });
      result.rules_updated.push(r.id);
    }
  }
  return result;
}

export async function deleteConsumer(ctx: StoreContext, name: string, force: boolean): Promise<DeleteResult> {
  return change(ctx, async () => {
    const e = await findByName(ctx, name);
    const res = await detachFromRules(ctx, 'allow', name, force, 'consumer');
    await ctx.db.em.delete(ConsumerEntity, { id: e.id });
    return { deleted: name, ...res };
  });
}
