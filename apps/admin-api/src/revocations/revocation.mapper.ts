import type { PageDto, RevocationDto, RevocationInputDto } from '@oauth2/contracts';
import type { Page, RevocationInput, RevocationView } from '@oauth2/store';

/** Only the keys of its kind: a jti revocation has no client_id key, and the reverse. */
export function toRevocation(r: RevocationView): RevocationDto {
  const out: RevocationDto = { id: r.id, created_at: r.created_at };
  if (r.jti !== undefined) Object.assign(out, { jti: r.jti, exp: r.exp });
  else Object.assign(out, { client_id: r.client_id, revoked_before: r.revoked_before });
  return out;
}

export function toRevocationPage(p: Page<RevocationView>): PageDto<RevocationDto> {
  return { items: p.items.map(toRevocation), total: p.total };
}

export function revocationInput(b: RevocationInputDto): RevocationInput {
  if (b.client_id !== undefined) return { client_id: b.client_id };
  return b.exp !== undefined ? { jti: b.jti, exp: b.exp } : { jti: b.jti };
}
