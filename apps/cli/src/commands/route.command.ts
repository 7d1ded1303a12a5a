import { Command } from 'commander';
import type { CreateRouteDto } from '@oauth2/contracts';
import { collect } from '../args';
import type { Context } from '../context';
import { addListCommand } from './list';
import { addWhoCommand } from './grants.command';
import { UsageError, withForceFlag } from '../errors';
import { deleteView, routesTable, routeView } from '../output/views';

interface UpdateOptions {
  upstream?: string;
  host?: string[];
  anyHost?: boolean;
  pathPrefix?: string;
  stripPrefix?: boolean;
}

interface AddOptions {
  upstream: string;
  host?: string[];
  pathPrefix?: string;
  stripPrefix?: boolean;
}

/** `oauth2ctl route add|update|list|get|remove` (docs/cli.md). */
export function routeCommand(ctx: Context): Command {
  const cmd = new Command('route').description('manage routes (host + path prefix -> upstream)');

  cmd
    .command('add <name>')
    .description('create a route')
    .requiredOption('--upstream <url>', 'http:// or https:// base URL to forward to')
    .option('--host <host>', 'exact host or *.suffix; repeat for more (default: any host)', collect)
    .option('--path-prefix <prefix>', 'path prefix, matched per segment (default: /)')
    .option('--strip-prefix', 'remove the path prefix before forwarding')
    .action(async (name: string, o: AddOptions) => {
      // Only send what was given, so the API's defaults stay the API's.
      const input: CreateRouteDto = { name, upstream: o.upstream };
      if (o.host) input.hosts = o.host;
      if (o.pathPrefix !== undefined) input.path_prefix = o.pathPrefix;
      if (o.stripPrefix) input.strip_prefix = true;
      ctx.render(await ctx.client().addRoute(input), routeView);
    });

  cmd
    .command('update <name>')
    .description('change a route in place (its rules stay); flags not given keep their current value')
    .option('--upstream <url>', 'http:// or https:// base URL to forward to')
    .option('--host <host>', 'exact host or *.suffix; repeat for more (replaces the current hosts)', collect)
    .option('--any-host', 'match any host (clears the hosts)')
    .option('--path-prefix <prefix>', 'path prefix, matched per segment')
    .option('--strip-prefix', 'remove the path prefix before forwarding')
    .option('--no-strip-prefix', 'forward the path as received')
    .action(async (name: string, o: UpdateOptions) => {
      if (o.host && o.anyHost) throw new UsageError('give --host or --any-host, not both');
      if (o.upstream === undefined && !o.host && !o.anyHost && o.pathPrefix === undefined && o.stripPrefix === undefined) {
        throw new UsageError('route update needs at least one of --upstream, --host, --any-host, --path-prefix, --strip-prefix, --no-strip-prefix');
      }
      // PUT takes the whole route: start from the current one, so flags not given keep their value.
      const client = ctx.client();
      const cur = await client.getRoute(name);
      const next = {
        hosts: o.anyHost ? [] : (o.host ?? cur.hosts),
        path_prefix: o.pathPrefix ?? cur.path_prefix,
        upstream: o.upstream ?? cur.upstream,
        strip_prefix: o.stripPrefix ?? cur.strip_prefix,
      };
      ctx.render(await client.replaceRoute(name, next), routeView);
    });

  addListCommand(cmd, ctx, { name: 'list', description: 'list routes', fetch: (c, page) => c.listRoutes(page), table: routesTable });

  cmd
    .command('get <name>')
    .description('show one route')
    .action(async (name: string) => {
      ctx.render(await ctx.client().getRoute(name), routeView);
    });

  cmd
    .command('remove <name>')
    .alias('rm')
    .description('delete a route; refused while a rule names it, unless --force')
    .option('--force', 'also remove it from every rule (a rule left with no route is deleted)')
    .action(async (name: string, o: { force?: boolean }) => {
      const result = await ctx
        .client()
        .removeRoute(name, !!o.force)
        .catch((e: unknown) => Promise.reject(withForceFlag(e)));
      ctx.render(result, (d) => deleteView('route', d));
    });

  addWhoCommand(cmd, ctx);
  return cmd;
}
