import { Command } from 'commander';
import type { Context } from '../context';
import { statusView, type Status } from '../output/views';

/** `oauth2ctl status`: is the admin API up, at which store revision, acting as which token and role, and which gateway enforces what (exit 5 when unreachable). */
export function statusCommand(ctx: Context): Command {
  return new Command('status').description('admin API health, store revision, the admin token in use (name and role) and gateway nodes').action(async () => {
    const client = ctx.client();
    const health = await client.health();
    const { revision } = await client.revision();
    const whoami = await client.whoami();
    const nodes = await client.listNodes();
    const status: Status = { server: client.server, health, revision, acting_as: whoami, nodes: nodes.items };
    ctx.render(status, statusView);
  });
}
