/**
 * Document-level reading for `/v1/apply` (apply-parse.ts's parseText): a JSON document is parsed
 * by JSON.parse, once, into the plain values the planner walks. The YAML parser builds a concrete
 * syntax tree, then a document of nodes, then the values: three copies of a 100 MB document (of a
 * million consumers) and ~3/4 of an apply's time at 100,000 consumers (bench/PERFORMANCE.md).
 *
 * Same result as the YAML path for every document it accepts (JSON is YAML 1.2): JSON.parse keeps
 * the last of duplicate keys where YAML refuses them, so a scan of the text checks first that no
 * object repeats a key. Anything this path does not take (not JSON, a JSON syntax error, a
 * duplicate key) returns undefined and goes to the YAML parser, which reports the problem with
 * its line, exactly as before.
 */
export function readJsonDocument(text: string): { value: unknown } | undefined {
  let i = 0;
  // A BOM or leading white space, as YAML allows.
  while (i < text.length && (text.charCodeAt(i) <= 0x20 || text.charCodeAt(i) === 0xfeff)) i++;
  const first = text.charCodeAt(i);
  if (first !== 0x7b /* { */ && first !== 0x5b /* [ */) return undefined;
  let value: unknown;
  try {
    // JSON.parse refuses a BOM: only then is the text copied without it.
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return undefined;
  }
  return hasDuplicateKey(text, i) ? undefined : { value };
}

/** Objects with more keys than this switch from a list to a Set (a hostile object of 100k keys stays linear). */
const LIST_KEYS = 16;

/**
 * Whether an object of `text` (valid JSON: JSON.parse accepted it) has the same key twice. Keys
 * are compared decoded (an escape is decoded with JSON.parse), as JSON.parse would store them.
 */
export function hasDuplicateKey(text: string, from = 0): boolean {
  type Keys = string[] | Set<string>;
  // The key sets of the enclosing containers (null for an array).
  const stack: (Keys | null)[] = [];
  let top: Keys | null = null;
  let expectKey = false;
  const n = text.length;
  for (let i = from; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (;;) {
        const d = text.charCodeAt(j);
        if (d === 0x5c /* \ */) {
          escaped = true;
          j += 2;
        } else if (d === 0x22) break;
        else j++;
      }
      if (expectKey && top !== null) {
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        if (Array.isArray(top)) {
          if (top.includes(key)) return true;
          top.push(key);
          if (top.length > LIST_KEYS) top = new Set(top);
        } else {
          if (top.has(key)) return true;
          top.add(key);
        }
        expectKey = false;
      }
      i = j;
      continue;
    }
    switch (c) {
      case 0x7b /* { */:
        stack.push(top);
        top = [];
        expectKey = true;
        break;
      case 0x5b /* [ */:
        stack.push(top);
        top = null;
        expectKey = false;
        break;
      case 0x7d /* } */:
      case 0x5d /* ] */:
        top = stack.pop() ?? null;
        expectKey = false;
        break;
      case 0x2c /* , */:
        expectKey = top !== null;
        break;
    }
  }
  return false;
}
