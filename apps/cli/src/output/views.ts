import type { ApplyResult, Consumer, ConsumerWithSecret, DeleteResult, Page, Route, Rule, SettingsBody } from '../client';
import { pageNote, renderPairs, renderTable } from './table';

/** One renderer per resource shape, so every command prints the same resource the same way. */

function withNote(table: string, page: Page<unknown>, offset?: number): string {
  const note = pageNote(page.items.length, page.total, offset);
  return note ? `${table}\n${note}` : table;
}

export function consumersTable(page: Page<Consumer>, offset?: number): string {
  return withNote(
    renderTable(
      ['NAME', 'CLIENT_ID', 'CREATED_AT'],
      page.items.map((c) => [c.name, c.client_id, c.created_at]),
    ),
    page,
    offset,
  );
}

export function consumerView(c: Consumer): string {
  return renderPairs([
    ['name', c.name],
    ['client_id', c.client_id],
    ['created_at', c.created_at],
  ]);
}

/** The only place a secret is printed in table mode: right after create or rotate. */
export function consumerSecretView(c: ConsumerWithSecret): string {
  return `${renderPairs([
    ['name', c.name],
    ['client_id', c.client_id],
    ['client_secret', c.client_secret],
  ])}\n\nSave the client_secret now: it will not be shown again.`;
}

/** After create or rotate with a secret the caller gave: everything but the secret. */
export function suppliedSecretView(c: Consumer): string {
  return renderPairs([
    ['name', c.name],
    ['client_id', c.client_id],
    ['client_secret', '(the one you supplied; not shown)'],
  ]);
}

export function routesTable(page: Page<Route>, offset?: number): string {
  return withNote(
    renderTable(
      ['NAME', 'HOSTS', 'PATH_PREFIX', 'STRIP_PREFIX', 'UPSTREAM'],
      page.items.map((r) => [r.name, r.hosts?.length ? r.hosts : '*', r.path_prefix, r.strip_prefix, r.upstream]),
    ),
    page,
    offset,
  );
}

export function routeView(r: Route): string {
  return renderPairs([
    ['name', r.name],
    ['hosts', r.hosts?.length ? r.hosts : '* (any host)'],
    ['path_prefix', r.path_prefix],
    ['strip_prefix', r.strip_prefix],
    ['upstream', r.upstream],
    ['created_at', r.created_at],
  ]);
}

function ruleMatch(r: Rule): string {
  if (r.routes?.length) return `route:${r.routes.join(',')}`;
  if (r.domains?.length) return `domain:${r.domains.join(',')}`;
  return '-';
}

export function rulesTable(page: Page<Rule>, offset?: number): string {
  return withNote(
    renderTable(
      ['ID', 'POSITION', 'MATCH', 'ALLOW'],
      page.items.map((r) => [r.id, r.position, ruleMatch(r), r.allow]),
    ),
    page,
    offset,
  );
}

export function ruleView(r: Rule): string {
  return renderPairs([
    ['id', r.id],
    ['position', r.position],
    ['match', ruleMatch(r)],
    ['allow', r.allow],
  ]);
}

export function settingsTable(s: SettingsBody): string {
  return renderTable(
    ['KEY', 'VALUE'],
    Object.entries(s).map(([k, v]) => [k, v === null ? 'unset' : v]),
  );
}

export function deleteView(kind: string, d: DeleteResult): string {
  const lines = [`deleted ${kind} ${d.deleted}`];
  if (d.rules_updated?.length) lines.push(`rules updated: ${d.rules_updated.join(', ')}`);
  if (d.rules_deleted?.length) lines.push(`rules deleted (every route they named is gone): ${d.rules_deleted.join(', ')}`);
  if (d.rules_emptied?.length) lines.push(`warning: rules now allow nobody (their allow-list is empty; 403 until you allow someone): ${d.rules_emptied.join(', ')}`);
  return lines.join('\n');
}

export function applyView(r: ApplyResult, dryRun: boolean): string {
  const lines = [
    dryRun ? 'dry run: valid, nothing was changed' : `applied at revision ${r.revision}`,
    `consumers: ${r.applied?.consumers ?? 0}`,
    `rules: ${r.applied?.rules ?? 0}`,
  ];
  for (const w of r.warnings ?? []) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
