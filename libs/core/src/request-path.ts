const SUSPICIOUS = /[.%\\]/;
const DOT_SEGMENT = /(^|\/)\.\.?(\/|$)/;

/**
 * A path with dot segments (also percent-encoded, or with backslashes some servers read as "/")
 * could match one route here and reach another upstream path after normalization: the gateway
 * refuses it with 400, and the explainer says so. The common path has none of `.`, `%`, `\` and
 * costs one regex test.
 */
export function hasDotSegment(path: string): boolean {
  if (!SUSPICIOUS.test(path)) return false;
  const p = path.replace(/%2e/gi, '.').replace(/%2f/gi, '/').replace(/%5c/gi, '/').replace(/\\/g, '/');
  return DOT_SEGMENT.test(p);
}
