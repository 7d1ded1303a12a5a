import type { PageDto, RevocationDto } from '@oauth2/contracts';
import { pagedTable } from './common.view';
import { renderPairs, renderTable } from './table';

/** Access-token revocations (docs/revocation.md): one jti, or a client's cut-off time. */

const when = (unix: number | undefined): string => (unix === undefined ? '-' : `${unix} (${new Date(unix * 1000).toISOString()})`);

export function revocationView(r: RevocationDto): string {
  if (r.jti !== undefined)
    return renderPairs([
      ['id', r.id],
      ['jti', r.jti],
      ['for_client', r.client_id ?? '(every client)'],
      ['until', when(r.exp)],
      ['created_at', r.created_at],
    ]);
  return renderPairs([
    ['id', r.id],
    ['client_id', r.client_id],
    ['revoked_before', when(r.revoked_before)],
    ['created_at', r.created_at],
  ]);
}

export function revocationsTable(page: PageDto<RevocationDto>, offset?: number): string {
  return pagedTable(
    renderTable(
      ['ID', 'KIND', 'TARGET', 'TIME', 'CREATED_AT'],
      page.items.map((r) =>
        r.jti !== undefined
          ? [r.id, 'jti', r.client_id !== undefined ? `${r.jti} (client ${r.client_id})` : r.jti, `until ${when(r.exp)}`, r.created_at]
          : [r.id, 'client', r.client_id, `issued before ${when(r.revoked_before)}`, r.created_at],
      ),
    ),
    page,
    offset,
  );
}
