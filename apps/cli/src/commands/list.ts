import type { Command } from 'commander';
import type { PageDto } from '@oauth2/contracts';
import { withPageOptions, type PageOptions } from '../args';
import type { AdminClient } from '../client';
import type { Context } from '../context';

/**
 * A paged list verb (`consumer list`, `route list`, `allow list`, `token revocations`): the shared
 * --limit/--offset, one page fetched, and the resource's table (whose footer says when it was cut).
 */
export function addListCommand<T, O extends object = object>(
  parent: Command,
  ctx: Context,
  spec: {
    name: string;
    description: string;
    /** Options of this list beyond --limit/--offset (filters). */
    options?: (cmd: Command) => Command;
    fetch: (client: AdminClient, page: PageOptions, options: O) => Promise<PageDto<T>>;
    table: (page: PageDto<T>, offset?: number) => string;
  },
): void {
  const cmd = withPageOptions(parent.command(spec.name).description(spec.description));
  (spec.options ? spec.options(cmd) : cmd).action(async (o: PageOptions & O) => {
    const page = await spec.fetch(ctx.client(), { limit: o.limit, offset: o.offset }, o);
    ctx.render(page, (p) => spec.table(p, o.offset));
  });
}
