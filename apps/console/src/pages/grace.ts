/** The rotation grace as typed: seconds, or a number with s, m, h or d (0, 30s, 15m, 2h, 1d); the API's limit is 30 days. */
export const MAX_GRACE_S = 2_592_000;
const UNIT: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds, or why not (one line). */
export function parseGrace(text: string): number | string {
  const m = /^\s*(\d{1,7})\s*([smhd]?)\s*$/i.exec(text);
  if (!m) return 'use seconds or a number with s, m, h or d, e.g. 0, 15m, 2h';
  const s = Number(m[1]) * UNIT[m[2].toLowerCase()];
  return s > MAX_GRACE_S ? `at most 30 days (${MAX_GRACE_S.toLocaleString()} seconds)` : s;
}
