import type { DeleteResultDto, PageDto } from '@oauth2/contracts';
import { pageNote } from './table';

/** A list's table with the page footer when the list was cut, so a truncated list never looks complete. */
export function pagedTable(table: string, page: PageDto<unknown>, offset?: number): string {
  const note = pageNote(page.items.length, page.total, offset);
  return note ? `${table}\n${note}` : table;
}

/** The answer of every DELETE: what went, and the rules it was taken out of. */
export function deleteView(kind: string, d: DeleteResultDto): string {
  const lines = [`deleted ${kind} ${d.deleted}`];
  if (d.rules_updated?.length) lines.push(`rules updated: ${d.rules_updated.join(', ')}`);
  if (d.rules_deleted?.length) lines.push(`rules deleted (every route they named is gone): ${d.rules_deleted.join(', ')}`);
  if (d.rules_emptied?.length) lines.push(`warning: rules now allow nobody (their allow-list is empty; 403 until you allow someone): ${d.rules_emptied.join(', ')}`);
  return lines.join('\n');
}
