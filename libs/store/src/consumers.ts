import { randomBytes, randomUUID } from 'node:crypto';
import { change, consumerView, emptyPage, now, paging, type StoreContext } from './context';
import { ConsumerEntity, RuleEntity } from './entities';
import { conflict, isUniqueViolation, notFound } from './errors';
import { secretChanged } from './revocations';
import { consumerAad } from './secret-box';
import { readSettings } from './settings';
import type { ConsumerInput, ConsumerPatch, ConsumerView, ConsumerWithSecret, DeleteResult, Page } from './store-api';
import { checkClientId, checkClientSecret, checkConsumerScopes, checkGroups, checkName } from './validate';

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
  return change(ctx, async () => {
    const em = ctx.db.em;
    if (await em.exists(ConsumerEntity, { where: { name } })) conflict('name', `consumer ${JSON.stringify(name)} already exists`);
    if (await em.exists(ConsumerEntity, { where: { client_id: clientId } })) conflict('client_id', `client_id ${JSON.stringify(clientId)} is already used by another consumer`);
    const row = { name, client_id: clientId, secret_enc: ctx.box.seal(secret, consumerAad(name)), created_at: now(), scopes, groups };
    try {
      await em.insert(ConsumerEntity, row);
    } catch (err) {
      if (isUniqueViolation(err)) conflict('name', `consumer ${JSON.stringify(name)} or its client_id already exists`);
      throw err;
    }
    return { name, client_id: clientId, created_at: row.created_at, scopes, groups, client_secret: secret };
  });
}

/** PATCH: replaces scopes and/or groups (SPEC §8.1); the gateway enforces them at its next reload, also for tokens already issued. */
export async function updateConsumer(ctx: StoreContext, name: string, patch: ConsumerPatch): Promise<ConsumerView> {
  const set: Partial<Pick<ConsumerEntity, 'scopes' | 'groups'>> = {};
  if (patch.scopes !== undefined) set.scopes = checkConsumerScopes(patch.scopes, 'scopes');
  if (patch.groups !== undefined) set.groups = checkGroups(patch.groups, 'groups');
  return change(ctx, async () => {
    const e = await findByName(ctx, name);
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

export async function rotateSecret(ctx: StoreContext, name: string, clientSecret?: string): Promise<ConsumerWithSecret> {
  const secret = clientSecret === undefined ? generateSecret() : checkClientSecret(clientSecret, 'client_secret');
  return change(ctx, async () => {
    const e = await findByName(ctx, name);
    await ctx.db.em.update(ConsumerEntity, { id: e.id }, { secret_enc: ctx.box.seal(secret, consumerAad(e.name)) });
    await secretChanged(ctx, e.client_id, [(await readSettings(ctx)).signing_alg]);
    return { ...consumerView(e), client_secret: secret };
  });
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
