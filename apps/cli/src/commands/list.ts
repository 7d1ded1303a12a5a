import type { Command } from 'commander';
import type { PageDto } from '@oauth2/contracts';
import { withPageOptions, type PageOptions } from '../args';
import type { AdminClient } from '../client';
import type { Context } from '../context';

/**
 * A paged list verb (`consumer list`, `route list`, `allow list`, `token revocations`): the shared
 * --limit/--offset, one page fetched, and the resource's table (whose footer says when it was cut).
 */
export function addListCommand<T>(
  parent: Command,
  ctx: Context,
  spec: { name: string; description: string; fetch: (client: AdminClient, page: PageOptions) => Promise<PageDto<T>>; table: (page: PageDto<T>, offset?: number) => string },
): void {
  withPageOptions(parent.command(spec.name).description(spec.description)).action(async (o: PageOptions) => {
    const page = await spec.fetch(ctx.client(), o);
    ctx.render(page, (p) => spec.table(p, o.offset));
  });
}
