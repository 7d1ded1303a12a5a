import { BadRequestException } from '@nestjs/common';
import type { CreateRouteDto, PageDto, ReplaceRouteDto, RouteDto } from '@oauth2/contracts';
import type { Page, RouteView } from '@oauth2/store';

export function toRoute(r: RouteView): RouteDto {
  return { name: r.name, hosts: [...r.hosts], path_prefix: r.path_prefix, upstream: r.upstream, strip_prefix: r.strip_prefix, created_at: r.created_at };
}

export function toRoutePage(p: Page<RouteView>): PageDto<RouteDto> {
  return { items: p.items.map(toRoute), total: p.total };
}

/** Only the fields the caller set, so the store applies its defaults to the rest. */
export function routeFields(b: CreateRouteDto | ReplaceRouteDto) {
  const out: { upstream: string; hosts?: string[]; path_prefix?: string; strip_prefix?: boolean } = { upstream: b.upstream };
  if (b.hosts !== undefined) out.hosts = b.hosts;
  if (b.path_prefix !== undefined) out.path_prefix = b.path_prefix;
  if (b.strip_prefix !== undefined) out.strip_prefix = b.strip_prefix;
  return out;
}

/** PUT may repeat the route's name in its body (a GET answer sent back), but may not rename. */
export function replaceFields(name: string, b: ReplaceRouteDto) {
  if (b.name !== undefined && b.name !== name) throw new BadRequestException(`name in the body ("${b.name}") differs from the URL ("${name}"); routes cannot be renamed`);
  return routeFields(b);
}
