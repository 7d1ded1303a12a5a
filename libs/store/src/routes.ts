import type { RouteRecord } from '@oauth2/core';
import { change, emptyPage, now, paging, routeView, type StoreContext } from './context';
import { detachFromRules } from './consumers';
import { RouteEntity } from './entities';
import { conflict, invalid, isUniqueViolation, notFound } from './errors';
import type { DeleteResult, Page, RouteView } from './store-api';
import { checkBool, checkHosts, checkName, checkPathPrefix, checkUpstream } from './validate';

type RouteInput = Partial<RouteRecord> & { upstream: string };

/** Validates a route body; absent optional fields take their defaults (PUT replaces the whole route). */
function checkRoute(input: RouteInput): Omit<RouteRecord, 'name'> {
  if (input.upstream === undefined) invalid('upstream', 'is required');
  return {
    hosts: input.hosts === undefined ? [] : checkHosts(input.hosts, 'hosts'),
    path_prefix: input.path_prefix === undefined ? '/' : checkPathPrefix(input.path_prefix, 'path_prefix'),
    upstream: checkUpstream(input.upstream, 'upstream'),
    strip_prefix: input.strip_prefix === undefined ? false : checkBool(input.strip_prefix, 'strip_prefix'),
  };
}

async function findByName(ctx: StoreContext, name: string): Promise<RouteEntity> {
  const e = await ctx.db.em.findOne(RouteEntity, { where: { name } });
  if (!e) notFound('name', `route ${JSON.stringify(name)} not found`);
  return e;
}

export async function createRoute(ctx: StoreContext, input: RouteInput): Promise<RouteView> {
  const name = checkName(input.name, 'name');
  const fields = checkRoute(input);
  return change(ctx, async () => {
    if (await ctx.db.em.exists(RouteEntity, { where: { name } })) conflict('name', `route ${JSON.stringify(name)} already exists`);
    const row = { name, ...fields, created_at: now() };
    try {
      await ctx.db.em.insert(RouteEntity, row);
    } catch (err) {
      if (isUniqueViolation(err)) conflict('name', `route ${JSON.stringify(name)} already exists`);
      throw err;
    }
    return { name, ...fields, created_at: row.created_at };
  });
}

export async function listRoutes(ctx: StoreContext, limit: number, offset: number): Promise<Page<RouteView>> {
  const { take, skip } = paging(limit, offset);
  return ctx.db.read(async () => {
    if (take === 0) return emptyPage(await ctx.db.em.count(RouteEntity));
    const [rows, total] = await ctx.db.em.findAndCount(RouteEntity, { order: { name: 'ASC' }, take, skip });
    return { items: rows.map(routeView), total };
  });
}

export function getRoute(ctx: StoreContext, name: string): Promise<RouteView> {
  return ctx.db.exclusive(async () => routeView(await findByName(ctx, name)));
}

export async function replaceRoute(ctx: StoreContext, name: string, input: RouteInput): Promise<RouteView> {
  if (input.name !== undefined && input.name !== name) invalid('name', `${JSON.stringify(input.name)} differs from the route being replaced (${JSON.stringify(name)}); names cannot change`);
  const fields = checkRoute(input);
  return change(ctx, async () => {
    const e = await findByName(ctx, name);
    await ctx.db.em.update(RouteEntity, { id: e.id }, fields);
    return { name, ...fields, created_at: e.created_at };
  });
}

export async function deleteRoute(ctx: StoreContext, name: string, force: boolean): Promise<DeleteResult> {
  return change(ctx, async () => {
    const e = await findByName(ctx, name);
    const res = await detachFromRules(ctx, 'routes', name, force, 'route');
    await ctx.db.em.delete(RouteEntity, { id: e.id });
    return { deleted: name, ...res };
  });
}
