import { In } from 'typeorm';
import { change, emptyPage, paging, ruleView, type StoreContext } from './context';
import { ConsumerEntity, RouteEntity, RuleEntity } from './entities';
import { invalid, notFound } from './errors';
import type { DeleteResult, Page, RuleInput, RuleView } from './store-api';
import { checkGroups, checkHosts, checkNames, checkPosition, checkScopes } from './validate';

const nonEmpty = (v: unknown): boolean => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);

/** A rule's groups: any number a rule lists (a group need not have members yet). */
const MAX_RULE_GROUPS = 1000;

interface RuleShape {
  routes: string[] | null;
  domains: string[] | null;
  allow: string[];
  allow_groups: string[];
  scopes: string[];
  position?: number;
}

/** Shape checks that need no database: exactly one of routes/domains, at least one of allow, allow_groups, scopes (SPEC §8.3). */
function checkRuleShape(input: RuleInput): RuleShape {
  const hasRoutes = nonEmpty(input.routes);
  const hasDomains = nonEmpty(input.domains);
  if (hasRoutes === hasDomains) invalid(hasRoutes ? 'domains' : 'routes', 'give exactly one of routes or domains, as a non-empty list');
  if (!nonEmpty(input.allow) && !nonEmpty(input.allow_groups) && !nonEmpty(input.scopes)) {
    invalid('allow', 'give at least one of allow (consumers), allow_groups (groups) or scopes (required scopes): a rule with none allows nobody');
  }
  return {
    routes: hasRoutes ? checkNames(input.routes, 'routes') : null,
    domains: hasDomains ? checkHosts(input.domains, 'domains') : null,
    allow: input.allow === undefined || input.allow === null ? [] : checkNames(input.allow, 'allow'),
    allow_groups: input.allow_groups === undefined || input.allow_groups === null ? [] : checkGroups(input.allow_groups, 'allow_groups', MAX_RULE_GROUPS),
    scopes: input.scopes === undefined || input.scopes === null ? [] : checkScopes(input.scopes, 'scopes'),
    position: input.position === undefined || input.position === null ? undefined : checkPosition(input.position, 'position'),
  };
}

const columns = (r: RuleShape, position: number) => ({ position, routes: r.routes, domains: r.domains, allow: r.allow, allow_groups: r.allow_groups, scopes: r.scopes });

/** The native API refuses unknown routes and consumers; `/v1/apply` has its own rules. */
async function checkReferences(ctx: StoreContext, routes: string[] | null, allow: string[]): Promise<void> {
  const em = ctx.db.em;
  if (routes) {
    const found = new Set((await em.find(RouteEntity, { select: { name: true }, where: { name: In(routes) } })).map((r) => r.name));
    routes.forEach((r, i) => found.has(r) || invalid(`routes[${i}]`, `route ${JSON.stringify(r)} does not exist`));
  }
  if (allow.length === 0) return;
  const found = new Set((await em.find(ConsumerEntity, { select: { name: true }, where: { name: In(allow) } })).map((c) => c.name));
  allow.forEach((c, i) => found.has(c) || invalid(`allow[${i}]`, `consumer ${JSON.stringify(c)} does not exist`));
}

async function nextPosition(ctx: StoreContext): Promise<number> {
  const rows = await ctx.db.query<{ p: number | null }[]>('SELECT MAX("position") AS p FROM "rule"');
  return (rows[0]?.p ?? 0) + 1;
}

async function findById(ctx: StoreContext, id: number): Promise<RuleEntity> {
  const e = Number.isSafeInteger(id) ? await ctx.db.em.findOne(RuleEntity, { where: { id } }) : null;
  if (!e) notFound('id', `rule ${id} not found`);
  return e;
}

export async function createRule(ctx: StoreContext, input: RuleInput): Promise<RuleView> {
  const r = checkRuleShape(input);
  return change(ctx, async () => {
    await checkReferences(ctx, r.routes, r.allow);
    const position = r.position ?? (await nextPosition(ctx));
    const res = await ctx.db.em.insert(RuleEntity, columns(r, position));
    const id = res.identifiers[0].id as number;
    return ruleView(Object.assign(new RuleEntity(), { id, ...columns(r, position) }));
  });
}

export async function listRules(ctx: StoreContext, limit: number, offset: number): Promise<Page<RuleView>> {
  const { take, skip } = paging(limit, offset);
  return ctx.db.read(async () => {
    if (take === 0) return emptyPage(await ctx.db.em.count(RuleEntity));
    const [rows, total] = await ctx.db.em.findAndCount(RuleEntity, { order: { position: 'ASC', id: 'ASC' }, take, skip });
    return { items: rows.map(ruleView), total };
  });
}

export function getRule(ctx: StoreContext, id: number): Promise<RuleView> {
  return ctx.db.exclusive(async () => ruleView(await findById(ctx, id)));
}

/** PUT: replaces targets and allow; an omitted position keeps the rule where it is. */
export async function replaceRule(ctx: StoreContext, id: number, input: RuleInput): Promise<RuleView> {
  const r = checkRuleShape(input);
  return change(ctx, async () => {
    const e = await findById(ctx, id);
    await checkReferences(ctx, r.routes, r.allow);
    const position = r.position ?? e.position;
    await ctx.db.em.update(RuleEntity, { id }, columns(r, position));
    return ruleView(Object.assign(new RuleEntity(), { id, ...columns(r, position) }));
  });
}

export async function deleteRule(ctx: StoreContext, id: number): Promise<DeleteResult> {
  return change(ctx, async () => {
    await findById(ctx, id);
    await ctx.db.em.delete(RuleEntity, { id });
    return { deleted: String(id), rules_updated: [], rules_deleted: [], rules_emptied: [] };
  });
}
