import { Command, Option } from 'commander';
import type { RotateKeyDto } from '@oauth2/contracts';
import { ASYMMETRIC_ALGS } from '@oauth2/core';
import type { Context } from '../context';
import { kidArg } from '../args';
import { hs256Note, keysTable, keyView } from '../output/views';

/** `oauth2ctl keys list | rotate [--alg A] | retire <kid>`: gateway signing keys (docs/signing-keys.md). */
export function keysCommand(ctx: Context): Command {
  const cmd = new Command('keys').description('manage the gateway signing keys used when signing_alg is RS256, ES256 or EdDSA');

  cmd
    .command('list')
    .description('list signing keys: active (signs), inactive (still published and verified), retired')
    .action(async () => {
      const list = await ctx.client().listKeys();
      if (ctx.json) return ctx.printJson(list);
      const { signing_alg } = await ctx.client().getSettings();
      ctx.print(signing_alg === 'HS256' ? `${keysTable(list)}\n${hs256Note(list)}` : keysTable(list));
    });

  cmd
    .command('rotate')
    .description('generate a new active key; the previous one keeps verifying the tokens it signed until retired')
    .addOption(new Option('--alg <alg>', 'key algorithm (default: the current signing_alg; another one also switches signing_alg)').choices(ASYMMETRIC_ALGS))
    .action(async (o: RotateKeyDto) => {
      ctx.render(await ctx.client().rotateKey(o.alg ? { alg: o.alg } : {}), keyView);
    });

  cmd
    .command('retire <kid>')
    .description('stop publishing and accepting a key that no longer signs (refused until its tokens have expired); a kid may start with "-"')
    // A base64url kid may start with "-" (`-_8ScA1...`): take it as the argument, not as an option.
    .allowUnknownOption()
    .action(async (kid: string) => {
      ctx.render(await ctx.client().retireKey(kidArg(kid)), keyView);
    });

  return cmd;
}
