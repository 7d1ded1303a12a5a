import { Command } from 'commander';
import type { PageDto, RevocationDto } from '@oauth2/contracts';
import type { DeleteResult } from '../client';
import { nonNegativeInt, positiveInt } from '../args';
import type { Context } from '../context';
import { UsageError } from '../errors';
import { pageNote, renderPairs, renderTable } from '../output/table';
import { deleteView } from '../output/views';

/** Access-token revocation (docs/revocation.md), over /v1/revocations. */

const when = (unix: number | undefined): string => (unix === undefined ? '-' : `${unix} (${new Date(unix * 1000).toISOString()})`);

export function revocationView(r: RevocationDto): string {
  if (r.jti !== undefined) return renderPairs([['id', r.id], ['jti', r.jti], ['for_client', r.client_id ?? '(every client)'], ['until', when(r.exp)], ['created_at', r.created_at]]);
  return renderPairs([['id', r.id], ['client_id', r.client_id], ['revoked_before', when(r.revoked_before)], ['created_at', r.created_at]]);
}

export function revocationsTable(page: PageDto<RevocationDto>, offset?: number): string {
  const table = renderTable(
    ['ID', 'KIND', 'TARGET', 'TIME', 'CREATED_AT'],
    page.items.map((r) => (r.jti !== undefined ? [r.id, 'jti', r.client_id !== undefined ? `${r.jti} (client ${r.client_id})` : r.jti, `until ${when(r.exp)}`, r.created_at] : [r.id, 'client', r.client_id, `issued before ${when(r.revoked_before)}`, r.created_at])),
  );
  const note = pageNote(page.items.length, page.total, offset);
  return note ? `${table}\n${note}` : table;
}

function revocationId(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) throw new UsageError(`revocation id must be a positive integer, got "${value}"`);
  return Number(value);
}

interface RevokeOptions {
  jti?: string;
  exp?: number;
  clientId?: string;
}

/** `oauth2ctl token revoke (--jti J [--client-id C] [--exp UNIX] | --client-id C)`, `token revocations`, `token unrevoke <id>`. */
export function tokenCommand(ctx: Context): Command {
  const cmd = new Command('token').description('revoke access tokens before they expire');

  cmd
    .command('revoke')
    .description('revoke one token (--jti) or every token a client holds now (--client-id); the gateway refuses them within one reload')
    .option('--jti <jti>', "the token's jti claim")
    .option('--exp <unix>', "with --jti: the token's exp (unix seconds), how long to keep the revocation (default: kept until unrevoked)", nonNegativeInt)
    .option('--client-id <id>', 'alone: revoke every token of this client issued before now (tokens issued later work); with --jti: revoke that jti for this client only (without it, the jti is revoked for every client)')
    .action(async (o: RevokeOptions) => {
      if (o.jti === undefined && o.clientId === undefined) throw new UsageError('give --jti, --client-id, or both');
      if (o.exp !== undefined && o.jti === undefined) throw new UsageError('--exp goes with --jti only');
      const body =
        o.jti !== undefined
          ? { jti: o.jti, ...(o.clientId !== undefined ? { client_id: o.clientId } : {}), ...(o.exp !== undefined ? { exp: o.exp } : {}) }
          : { client_id: o.clientId };
      ctx.render(await ctx.client().call<RevocationDto>('POST', '/v1/revocations', { json: body }), revocationView);
    });

  cmd
    .command('revocations')
    .description('list revocations in force')
    .option('--limit <n>', 'page size (max 10000)', positiveInt)
    .option('--offset <n>', 'skip this many', nonNegativeInt)
    .action(async (o: { limit?: number; offset?: number }) => {
      const page = await ctx.client().call<PageDto<RevocationDto>>('GET', '/v1/revocations', { query: o });
      ctx.render(page, (p) => revocationsTable(p, o.offset));
    });

  cmd
    .command('unrevoke <id>')
    .description('remove a revocation (its tokens work again until they expire)')
    .action(async (id: string) => {
      const d = await ctx.client().call<DeleteResult>('DELETE', `/v1/revocations/${revocationId(id)}`);
      ctx.render(d, (x) => deleteView('revocation', x));
    });

  return cmd;
}
