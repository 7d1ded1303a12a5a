import { Command } from 'commander';
import type { Context } from '../context';
import { statusView, type Status } from '../output/views';

/** `oauth2ctl status`: is the admin API up, and at which store revision (exit 5 when unreachable). */
export function statusCommand(ctx: Context): Command {
  return new Command('status').description('admin API health and store revision').action(async () => {
    const client = ctx.client();
    const health = await client.health();
    const { revision } = await client.revision();
    const status: Status = { server: client.server, health, revision };
    ctx.render(status, statusView);
  });
}
