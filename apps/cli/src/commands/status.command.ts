import { Command } from 'commander';
import type { Context } from '../context';
import { statusView, type Status } from '../output/views';

/** `oauth2ctl status`: is the admin API up, at which store revision, and which gateway enforces what (exit 5 when unreachable). */
export function statusCommand(ctx: Context): Command {
  return new Command('status').description('admin API health, store revision and gateway nodes').action(async () => {
    const client = ctx.client();
    const health = await client.health();
    const { revision } = await client.revision();
    const nodes = await client.listNodes();
    const status: Status = { server: client.server, health, revision, nodes: nodes.items };
    ctx.render(status, statusView);
  });
}
