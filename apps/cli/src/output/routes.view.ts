import type { PageDto, RouteDto, WhoDto } from '@oauth2/contracts';
import { pagedTable } from './common.view';
import { renderPairs, renderTable } from './table';

/** Routes: the list, one route, and who passes on it. */

export function routesTable(page: PageDto<RouteDto>, offset?: number): string {
  return pagedTable(
    renderTable(
      ['NAME', 'HOSTS', 'PATH_PREFIX', 'STRIP_PREFIX', 'UPSTREAM'],
      page.items.map((r) => [r.name, r.hosts?.length ? r.hosts : '*', r.path_prefix, r.strip_prefix, r.upstream]),
    ),
    page,
    offset,
  );
}

export function routeView(r: RouteDto): string {
  return renderPairs([
    ['name', r.name],
    ['hosts', r.hosts?.length ? r.hosts : '* (any host)'],
    ['path_prefix', r.path_prefix],
    ['strip_prefix', r.strip_prefix],
    ['upstream', r.upstream],
    ['created_at', r.created_at],
  ]);
}

/** `route who`: which consumers pass on this route. */
export function whoView(w: WhoDto): string {
  const who = w.consumers === null ? 'anyone (pass-through, no token needed)' : w.consumers.length ? w.consumers.join(', ') : '(no consumer)';
  const out = [`route ${w.route} (store revision ${w.revision}; ${w.global_auth_row})`, `access:    ${w.access}`, `consumers: ${who}`, `why:       ${w.reason}`];
  for (const n of w.notes) out.push(`note:      ${n}`);
  return out.join('\n');
}
