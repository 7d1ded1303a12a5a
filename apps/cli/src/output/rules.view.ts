import type { PageDto, RuleDto } from '@oauth2/contracts';
import { pagedTable } from './common.view';
import { renderPairs, renderTable } from './table';

/** Allow-list rules: the list in evaluation order, and one rule. */

function ruleMatch(r: RuleDto): string {
  if (r.routes?.length) return `route:${r.routes.join(',')}`;
  if (r.domains?.length) return `domain:${r.domains.join(',')}`;
  return '-';
}

/** SPEC §8.3: a rule whose three lists are empty allows nobody; say so. */
const allowText = (r: RuleDto): string => (r.allow.length === 0 && !r.allow_groups?.length && !r.scopes?.length ? '(nobody)' : r.allow.length ? r.allow.join(',') : '-');
const list = (xs: string[] | undefined, sep = ','): string => (xs?.length ? xs.join(sep) : '-');

export function rulesTable(page: PageDto<RuleDto>, offset?: number): string {
  return pagedTable(
    renderTable(
      ['ID', 'POSITION', 'MATCH', 'ALLOW', 'GROUPS', 'SCOPES'],
      page.items.map((r) => [r.id, r.position, ruleMatch(r), allowText(r), list(r.allow_groups), list(r.scopes, ' ')]),
    ),
    page,
    offset,
  );
}

export function ruleView(r: RuleDto): string {
  return renderPairs([
    ['id', r.id],
    ['position', r.position],
    ['match', ruleMatch(r)],
    ['allow', allowText(r)],
    ['allow_groups', list(r.allow_groups)],
    ['scopes', list(r.scopes, ' ')],
  ]);
}
