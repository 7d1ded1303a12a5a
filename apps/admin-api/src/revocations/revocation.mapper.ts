import type { PageDto, RevocationDto, RevocationInputDto } from '@oauth2/contracts';
import type { Page, RevocationInput, RevocationView } from '@oauth2/store';

/** Only the keys of its kind: a jti revocation has client_id only when it is for one client, and a cut-off has no jti. */
export function toRevocation(r: RevocationView): RevocationDto {
  const out: RevocationDto = { id: r.id, created_at: r.created_at };
  if (r.jti !== undefined) Object.assign(out, { jti: r.jti, ...(r.client_id !== undefined ? { client_id: r.client_id } : {}), exp: r.exp });
  else Object.assign(out, { client_id: r.client_id, revoked_before: r.revoked_before });
  return out;
}

export function toRevocationPage(p: Page<RevocationView>): PageDto<RevocationDto> {
  return { items: p.items.map(toRevocation), total: p.total };
}

export function revocationInput(b: RevocationInputDto): RevocationInput {
  if (b.jti === undefined) return { client_id: b.client_id };
  return { jti: b.jti, ...(b.client_id !== undefined ? { client_id: b.client_id } : {}), ...(b.exp !== undefined ? { exp: b.exp } : {}) };
}
