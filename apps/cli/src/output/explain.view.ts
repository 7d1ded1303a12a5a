import type { ExplainResultDto } from '@oauth2/contracts';

/** `explain`: what the gateway would answer to a request, and why (docs/explain.md). */

const mark = (ok: boolean): string => (ok ? '✓' : '✗');

function aligned(rows: [string, string, string][]): string[] {
  const w = Math.max(0, ...rows.map((r) => r[1].length));
  return rows.map(([m, name, why]) => `  ${m} ${name.padEnd(w)}  ${why}`.trimEnd());
}

/** The human report: route (and why not the others), rule, the global_auth row (docs/request-flow.md), each check, the answer. */
export function explainView(r: ExplainResultDto): string {
  const out: string[] = [`request:       ${r.request.method} ${r.request.host || '(no host)'} ${r.request.path}   (store revision ${r.revision})`];
  if (r.note) out.push(`refused:       ${r.note}`);
  out.push(`route:         ${r.route.matched ?? '(none)'}`);
  out.push(...aligned(r.route.candidates.map((c) => [mark(c.matched), c.name, c.reason])));
  const rule =
    r.rule.matched === null
      ? `(none) — ${r.rule.reason}`
      : `#${r.rule.matched} (position ${r.rule.position}, by ${r.rule.kind}) allow: ${(r.rule.allow ?? []).join(', ')}${r.rule.allow_groups?.length ? `; groups: ${r.rule.allow_groups.join(', ')}` : ''}${r.rule.scopes?.length ? `; scopes: ${r.rule.scopes.join(' ')}` : ''} — ${r.rule.reason}`;
  out.push(`rule:          ${rule}`);
  const decision = r.decision === null ? 'not reached' : `${r.decision}${r.auth_required ? ' (token required)' : ''}`;
  out.push(`global_auth:   ${r.global_auth_row} -> ${decision}`);
  if (r.verification.length) {
    out.push('checks:');
    out.push(...aligned(r.verification.map((s) => [mark(s.ok), s.step, s.detail])));
  }
  out.push(`outcome:       ${r.outcome.status} ${r.outcome.msg} (${r.outcome.reason})`);
  return out.join('\n');
}
