import type { PageDto, RuleDto, RuleInputDto } from '@oauth2/contracts';
import type { Page, RuleInput, RuleView } from '@oauth2/store';

/** `routes` or `domains`, whichever the rule has; the other key is absent, not null. */
export function toRule(r: RuleView): RuleDto {
  const out: RuleDto = { id: r.id, position: r.position, allow: [...r.allow], allow_groups: [...r.allow_groups], scopes: [...r.scopes] };
  if (r.routes) out.routes = [...r.routes];
  if (r.domains) out.domains = [...r.domains];
  return out;
}

export function toRulePage(p: Page<RuleView>): PageDto<RuleDto> {
  return { items: p.items.map(toRule), total: p.total };
}

export function ruleInput(b: RuleInputDto): RuleInput {
  const out: RuleInput = {};
  if (b.allow !== undefined) out.allow = b.allow;
  if (b.allow_groups !== undefined) out.allow_groups = b.allow_groups;
  if (b.scopes !== undefined) out.scopes = b.scopes;
  if (b.routes !== undefined) out.routes = b.routes;
  if (b.domains !== undefined) out.domains = b.domains;
  if (b.position !== undefined) out.position = b.position;
  return out;
}
