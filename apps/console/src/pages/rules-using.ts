import { listAll } from '../api/client';
import type { RuleDto } from '../api/types';

/** Every rule in evaluation order, however many pages of the list API they take. */
export async function allRules(): Promise<RuleDto[]> {
  return (await listAll<RuleDto>('/rules')).sort((a, b) => a.position - b.position || a.id - b.id);
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
