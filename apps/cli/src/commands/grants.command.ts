import type { Command } from 'commander';
import type { Context } from '../context';
import { grantsView, whoView } from '../output/views';

/** `oauth2ctl consumer grants <name>`: every route and domain rule, reachable or why not. */
export function addGrantsCommand(consumer: Command, ctx: Context): void {
  consumer
    .command('grants <name>')
    .description('which routes and domain rules this consumer can get through, and why not')
    .action(async (name: string) => {
      ctx.render(await ctx.client().consumerGrants(name), grantsView);
    });
}

/** `oauth2ctl route who <name>`: which consumers pass on this route. */
export function addWhoCommand(route: Command, ctx: Context): void {
  route
    .command('who <name>')
    .description('which consumers pass on this route (allow-list, any consumer, or anyone)')
    .action(async (name: string) => {
      ctx.render(await ctx.client().routeWho(name), whoView);
    });
}
