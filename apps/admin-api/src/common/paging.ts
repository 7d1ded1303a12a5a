import { DEFAULT_LIMIT, PageQueryDto } from '@oauth2/contracts';

/** Applies the list defaults (limit 1000, offset 0; docs/admin-api.md); bounds are enforced by PageQueryDto. */
export function pageOf(q: PageQueryDto): [limit: number, offset: number] {
  return [q.limit ?? DEFAULT_LIMIT, q.offset ?? 0];
}
