import { Command } from 'commander';
import { nonNegativeInt, revocationId } from '../args';
import type { Context } from '../context';
import { addListCommand } from './list';
import { UsageError } from '../errors';
import { deleteView, revocationsTable, revocationView } from '../output/views';

interface RevokeOptions {
  jti?: string;
  exp?: number;
  clientId?: string;
}

/** Access-token revocation (docs/revocation.md), over /v1/revocations: `oauth2ctl token revoke (--jti J [--client-id C] [--exp UNIX] | --client-id C)`, `token revocations`, `token unrevoke <id>`. */
export function tokenCommand(ctx: Context): Command {
  const cmd = new Command('token').description('revoke access tokens before they expire');

  cmd
    .command('revoke')
    .description('revoke one token (--jti) or every token a client holds now (--client-id); the gateway refuses them within one reload')
    .option('--jti <jti>', "the token's jti claim")
    .option('--exp <unix>', "with --jti: the token's exp (unix seconds), how long to keep the revocation (default: kept until unrevoked)", nonNegativeInt)
    .option(
      '--client-id <id>',
      'alone: revoke every token of this client issued before now (tokens issued later work); with --jti: revoke that jti for this client only (without it, the jti is revoked for every client)',
    )
    .action(async (o: RevokeOptions) => {
      if (o.jti === undefined && o.clientId === undefined) throw new UsageError('give --jti, --client-id, or both');
      if (o.exp !== undefined && o.jti === undefined) throw new UsageError('--exp goes with --jti only');
      const body = o.jti !== undefined ? { jti: o.jti, ...(o.clientId !== undefined ? { client_id: o.clientId } : {}), ...(o.exp !== undefined ? { exp: o.exp } : {}) } : { client_id: o.clientId };
      ctx.render(await ctx.client().revoke(body), revocationView);
    });

  addListCommand(cmd, ctx, { name: 'revocations', description: 'list revocations in force', fetch: (c, page) => c.listRevocations(page), table: revocationsTable });

  cmd
    .command('unrevoke <id>')
    .description('remove a revocation (its tokens work again until they expire)')
    .action(async (id: string) => {
      const d = await ctx.client().removeRevocation(revocationId(id));
      ctx.render(d, (x) => deleteView('revocation', x));
    });

  return cmd;
}
