/** Plain-text rendering for humans (`-o table`); `-o json` bypasses all of this. */

/** Renders a value for a table cell: lists joined by commas, null/undefined as "-", never a raw newline. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.length ? value.map(cell).join(',') : '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/[\r\n]+/g, ' ');
}

/** Columns aligned with two spaces between them; the last column is not padded (no trailing blanks). */
export function renderTable(headers: string[], rows: unknown[][]): string {
  const text = [headers, ...rows.map((r) => r.map(cell))];
  const widths = headers.map((_, i) => Math.max(...text.map((r) => (r[i] ?? '').length)));
  return text
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `key:  value` lines, keys aligned, for a single resource. */
export function renderPairs(pairs: [string, unknown][]): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length + 1));
  return pairs.map(([k, v]) => `${(k + ':').padEnd(width)}  ${cell(v)}`.trimEnd()).join('\n');
}

/** A footer when a list was cut by the page size, so a truncated list never looks complete. */
export function pageNote(shown: number, total: number, offset = 0): string | null {
  if (shown >= total && offset === 0) return null;
  return shown === 0 ? `(none shown of ${total})` : `(showing ${offset + 1}-${offset + shown} of ${total})`;
}
