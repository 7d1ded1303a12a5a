import { api } from '../api/client';
import type { RuleDto, RulePageDto } from '../api/types';

/** Every rule in evaluation order (the list API's maximum page is 10,000 rules). */
export async function allRules(): Promise<RuleDto[]> {
  const page = await api<RulePageDto>('GET', '/rules', { query: { limit: 10000 } });
  return [...page.items].sort((a, b) => a.position - b.position || a.id - b.id);
}

/** The rules a delete would change: those allowing the consumer, or naming the route. */
export async function rulesUsing(key: 'allow' | 'routes', name: string): Promise<RuleDto[]> {
  return (await allRules()).filter((r) => r[key]?.includes(name));
}

export function ruleSummary(r: RuleDto): string {
  const what = r.routes ? `routes ${r.routes.join(', ')}` : `domains ${(r.domains ?? []).join(', ')}`;
  const who = [r.allow.length ? r.allow.join(', ') : '', r.allow_groups.length ? `groups ${r.allow_groups.join(', ')}` : ''].filter(Boolean).join('; ') || 'nobody';
  return `rule #${r.id} (${what}; allows ${who}${r.scopes.length ? `; requires ${r.scopes.join(' ')}` : ''})`;
}
