import type { KeyDto, KeyListDto } from '@oauth2/contracts';
import type { KeyView } from '@oauth2/store';

/** Field by field: a key's private half is never in a KeyView, and nothing else slips through either. */
export function toKey(k: KeyView): KeyDto {
  return {
    kid: k.kid,
    alg: k.alg,
    status: k.status,
    public_jwk: k.public_jwk,
    created_at: k.created_at,
    rotated_at: k.rotated_at,
    retired_at: k.retired_at,
    retirable_at: k.retirable_at,
  };
}

export function toKeyList(keys: KeyView[]): KeyListDto {
  return { items: keys.map(toKey), total: keys.length };
}
