import { Command } from 'commander';
import type { AdminTokenDto } from '@oauth2/contracts';
import { positiveInt } from '../args';
import type { Context } from '../context';
import { addListCommand } from './list';
import { adminTokenSecretView, adminTokensTable } from '../output/views';

/** `oauth2ctl admin-token create|list|revoke` (docs/cli.md, "Admin access"): needs an admin token. */
export function adminTokenCommand(ctx: Context): Command {
  const cmd = new Command('admin-token').description('manage named admin tokens (roles viewer, operator, admin)');

  cmd
    .command('create <name>')
    .description('create a named admin token; prints the token (shown only this once)')
    .requiredOption('--role <role>', 'viewer (reads), operator (reads and config writes) or admin (everything)')
    .option('--expires-in <seconds>', 'lifetime in seconds, 60 to 31536000 (default: never expires)', positiveInt)
    .action(async (name: string, o: { role: string; expiresIn?: number }) => {
      ctx.render(await ctx.client().createAdminToken({ name, role: o.role, expires_in: o.expiresIn }), adminTokenSecretView);
    });

  addListCommand<AdminTokenDto>(cmd, ctx, {
    name: 'list',
    description: 'list admin tokens (never the tokens themselves); root is the bootstrap token',
    fetch: async (c, page) => {
      const all = await c.listAdminTokens();
      const from = page.offset ?? 0;
      return { items: all.items.slice(from, page.limit === undefined ? undefined : from + page.limit), total: all.total };
    },
    table: adminTokensTable,
  });

  cmd
    .command('revoke <name>')
    .alias('rm')
    .description('delete an admin token: every admin API process refuses it from its next request')
    .action(async (name: string) => {
      ctx.render(await ctx.client().revokeAdminToken(name), (d) => `revoked admin token ${d.deleted}`);
    });
  return cmd;
}
