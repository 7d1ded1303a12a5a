import { Command } from 'commander';
import type { Context } from '../context';
import { renderPairs } from '../output/table';

/** `oauth2ctl status`: is the admin API up, and at which store revision (exit 5 when unreachable). */
export function statusCommand(ctx: Context): Command {
  return new Command('status').description('admin API health and store revision').action(async () => {
    const client = ctx.client();
    const health = await client.health();
    const { revision } = await client.revision();
    const status = { server: client.server, health, revision };
    ctx.render(status, (s) =>
      renderPairs([
        ['server', s.server],
        ['admin API', healthText(s.health)],
        ['revision', s.revision],
      ]),
    );
  });
}

function healthText(h: unknown): string {
  if (h && typeof h === 'object' && 'status' in h) return String((h as { status: unknown }).status);
  return typeof h === 'string' && h.trim() ? h.trim() : 'ok';
}
