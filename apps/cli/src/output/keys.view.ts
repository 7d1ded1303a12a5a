import type { KeyDto, KeyListDto } from '@oauth2/contracts';
import { renderPairs, renderTable } from './table';

/** Gateway signing keys (docs/signing-keys.md). The API never returns a private key, so neither can these. */

export function keysTable(list: KeyListDto): string {
  return renderTable(
    ['KID', 'ALG', 'STATUS', 'CREATED_AT', 'ROTATED_AT', 'RETIRABLE_AT'],
    list.items.map((k) => [k.kid, k.alg, k.status, k.created_at, k.rotated_at ?? '-', k.retirable_at ?? '-']),
  );
}

export function keyView(k: KeyDto): string {
  return renderPairs([
    ['kid', k.kid],
    ['alg', k.alg],
    ['status', k.status],
    ['created_at', k.created_at],
    ['rotated_at', k.rotated_at ?? '-'],
    ['retired_at', k.retired_at ?? '-'],
    ['retirable_at', k.retirable_at ?? '-'],
  ]);
}

/** Under HS256 the key list is empty or unused: say why, instead of a bare header. */
export function hs256Note(list: KeyListDto): string {
  const why = "signing_alg is HS256: each token is signed with its client's own client_secret (as in Higress), so the gateway uses no key of its own";
  const rest = list.items.length ? '; the keys above are kept but sign nothing' : '';
  return `${why}${rest}. oauth2ctl settings set signing_alg=ES256 (or RS256, EdDSA) creates one.`;
}
