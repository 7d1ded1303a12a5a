import type { Command } from 'commander';
import type { GrantsDto, WhoDto } from '@oauth2/contracts';
import { seg } from '../client';
import type { Context } from '../context';
import { renderTable } from '../output/table';

const yesNo = (ok: boolean): string => (ok ? 'yes' : 'no');

export function grantsView(g: GrantsDto): string {
  const out = [`consumer ${g.consumer} (store revision ${g.revision}; ${g.global_auth_row}; global_credentials=${g.global_credentials})`, ''];
  out.push(renderTable(['ROUTE', 'REACHABLE', 'ACCESS', 'RULE', 'WHY'], g.routes.map((r) => [r.route, yesNo(r.reachable), r.access, r.rule === null ? '-' : `#${r.rule}`, r.reason])));
  for (const r of g.routes) for (const n of r.notes) out.push(`  note (${r.route}): ${n}`);
  if (g.domain_rules.length) {
    out.push('', renderTable(['DOMAIN RULE', 'DOMAINS', 'REACHABLE', 'WHY'], g.domain_rules.map((d) => [`#${d.rule}`, d.domains, yesNo(d.reachable), d.reason])));
  }
  return out.join('\n');
}

export function whoView(w: WhoDto): string {
  const who = w.consumers === null ? 'anyone (pass-through, no token needed)' : w.consumers.length ? w.consumers.join(', ') : '(no consumer)';
  const out = [`route ${w.route} (store revision ${w.revision}; ${w.global_auth_row})`, `access:    ${w.access}`, `consumers: ${who}`, `why:       ${w.reason}`];
  for (const n of w.notes) out.push(`note:      ${n}`);
  return out.join('\n');
}

/** `oauth2ctl consumer grants <name>`: every route and domain rule, reachable or why not. */
export function addGrantsCommand(consumer: Command, ctx: Context): void {
  consumer
    .command('grants <name>')
    .description('which routes and domain rules this consumer can get through, and why not')
    .action(async (name: string) => {
      ctx.render(await ctx.client().call<GrantsDto>('GET', `/v1/consumers/${seg(name)}/grants`), grantsView);
    });
}

/** `oauth2ctl route who <name>`: which consumers pass on this route. */
export function addWhoCommand(route: Command, ctx: Context): void {
  route
    .command('who <name>')
    .description('which consumers pass on this route (allow-list, any consumer, or anyone)')
    .action(async (name: string) => {
      ctx.render(await ctx.client().call<WhoDto>('GET', `/v1/routes/${seg(name)}/who`), whoView);
    });
}
