/**
 * Any error or text as one line: stderr and log lines stay one line per failure, and an error
 * answer never carries a multi-line driver message. `max` bounds what reaches a response body.
 */
export function oneLine(value: unknown, max = Infinity): string {
  const text = value instanceof Error ? value.message : String(value);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? line.slice(0, max) : line;
}
