import type { AdminTokenDto, AdminTokenWithSecretDto, AuditEntryDto, PageDto } from '@oauth2/contracts';
import { pagedTable } from './common.view';
import { renderPairs, renderTable } from './table';

/** Admin tokens and the audit log (docs/cli.md, "Admin access"). */

export function adminTokenSecretView(t: AdminTokenWithSecretDto): string {
  return `${renderPairs([
    ['name', t.name],
    ['role', t.role],
    ['expires_at', t.expires_at ?? 'never'],
    ['token', t.token],
  ])}\n\nSave the token now: it will not be shown again.`;
}

export function adminTokensTable(page: PageDto<AdminTokenDto>, offset?: number): string {
  return pagedTable(
    renderTable(
      ['NAME', 'ROLE', 'CREATED_AT', 'EXPIRES_AT', 'LAST_USED_AT'],
      page.items.map((t) => [t.name, t.role, t.name === 'root' ? '(bootstrap token)' : t.created_at, t.expires_at ?? 'never', t.last_used_at]),
    ),
    page,
    offset,
  );
}

/** A summary as one cell: `fields=a,b` and `n=3` pairs (names and counts only, as the API keeps them). */
function summaryText(s: Record<string, unknown>): string {
  const parts = Object.entries(s)
    .filter(([, v]) => !(v === 0 || (Array.isArray(v) && v.length === 0)))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
  return parts.length ? parts.join(' ') : '-';
}

export function auditTable(page: PageDto<AuditEntryDto>, offset?: number): string {
  return pagedTable(
    renderTable(
      ['AT', 'ACTOR', 'ROLE', 'ACTION', 'TARGET', 'REVISION', 'REQUEST_ID', 'SUMMARY'],
      page.items.map((a) => [a.at, a.actor, a.role, a.action, a.target, a.revision, a.request_id, summaryText(a.summary)]),
    ),
    page,
    offset,
  );
}
