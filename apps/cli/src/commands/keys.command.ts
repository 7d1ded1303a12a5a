import { Command, Option } from 'commander';
import type { KeyDto, KeyListDto } from '@oauth2/contracts';
import { ASYMMETRIC_ALGS } from '@oauth2/core';
import type { Context } from '../context';
import { UsageError } from '../errors';
import { renderPairs, renderTable } from '../output/table';

/** Gateway signing keys (docs/signing-keys.md). The API never returns a private key, so neither can this. */

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
  const why = 'signing_alg is HS256: each token is signed with its client\'s own client_secret (as in Higress), so the gateway uses no key of its own';
  const rest = list.items.length ? '; the keys above are kept but sign nothing' : '';
  return `${why}${rest}. oauth2ctl settings set signing_alg=ES256 (or RS256, EdDSA) creates one.`;
}

/** A kid travels in the URL path: base64url only (ours are RFC 7638 thumbprints). */
function kidArg(kid: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(kid)) throw new UsageError(`kid must be 1-128 base64url characters, got "${kid}"`);
  return kid;
}

/** `oauth2ctl keys list | rotate [--alg A] | retire <kid>`. */
export function keysCommand(ctx: Context): Command {
  const cmd = new Command('keys').description('manage the gateway signing keys used when signing_alg is RS256, ES256 or EdDSA');

  cmd
    .command('list')
    .description('list signing keys: active (signs), inactive (still published and verified), retired')
    .action(async () => {
      const list = await ctx.client().call<KeyListDto>('GET', '/v1/keys');
      if (ctx.json) return ctx.printJson(list);
      const { signing_alg } = await ctx.client().getSettings();
      ctx.print(signing_alg === 'HS256' ? `${keysTable(list)}\n${hs256Note(list)}` : keysTable(list));
    });

  cmd
    .command('rotate')
    .description('generate a new active key; the previous one keeps verifying the tokens it signed until retired')
    .addOption(new Option('--alg <alg>', 'key algorithm (default: the current signing_alg; another one also switches signing_alg)').choices(ASYMMETRIC_ALGS))
    .action(async (o: { alg?: string }) => {
      ctx.render(await ctx.client().call<KeyDto>('POST', '/v1/keys/rotate', { json: o.alg ? { alg: o.alg } : {} }), keyView);
    });

  cmd
    .command('retire <kid>')
    .description('stop publishing and accepting a key that no longer signs (refused until its tokens have expired); a kid may start with "-"')
    // A base64url kid may start with "-" (`-_8ScA1...`): take it as the argument, not as an option.
    .allowUnknownOption()
    .action(async (kid: string) => {
      ctx.render(await ctx.client().call<KeyDto>('POST', `/v1/keys/${kidArg(kid)}/retire`, { json: {} }), keyView);
    });

  return cmd;
}
