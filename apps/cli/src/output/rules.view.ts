import type { PageDto, RuleDto } from '@oauth2/contracts';
import { pagedTable } from './common.view';
import { renderPairs, renderTable } from './table';

/** Allow-list rules: the list in evaluation order, and one rule. */

function ruleMatch(r: RuleDto): string {
  if (r.routes?.length) return `route:${r.routes.join(',')}`;
  if (r.domains?.length) return `domain:${r.domains.join(',')}`;
  return '-';
}

export function rulesTable(page: PageDto<RuleDto>, offset?: number): string {
  return pagedTable(
    renderTable(
      ['ID', 'POSITION', 'MATCH', 'ALLOW'],
      page.items.map((r) => [r.id, r.position, ruleMatch(r), r.allow]),
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
    ['allow', r.allow],
  ]);
}
