/**
 * A read-only map over an array already sorted by its string key: lookups by binary search, no
 * hash table built. A full load reads consumers in name order, so the name-keyed side of the
 * snapshot state (the base of the next delta, libs/core/src/snapshot-delta.ts) comes for free
 * instead of a Map of a million entries (~1 s of a 1M-consumer cold load). Not for the hot path:
 * a lookup is ~20 string comparisons; the gateway's requests look consumers up by client_id in a Map.
 */
export class SortedIndex<V> implements ReadonlyMap<string, V> {
  readonly size: number;

  private constructor(
    private readonly items: readonly V[],
    private readonly keyOf: (v: V) => string,
  ) {
    this.size = items.length;
  }

  /** The index, or null when `items` are not strictly increasing by key (then use a Map). */
  static of<V>(items: readonly V[], keyOf: (v: V) => string): SortedIndex<V> | null {
    for (let i = 1; i < items.length; i++) if (!(keyOf(items[i - 1]) < keyOf(items[i]))) return null;
    return new SortedIndex(items, keyOf);
  }

  get(key: string): V | undefined {
    let lo = 0;
    let hi = this.items.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.keyOf(this.items[mid]);
      if (k === key) return this.items[mid];
      if (k < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  *entries(): MapIterator<[string, V]> {
    for (const v of this.items) yield [this.keyOf(v), v];
  }

  *keys(): MapIterator<string> {
    for (const v of this.items) yield this.keyOf(v);
  }

  *values(): MapIterator<V> {
    yield* this.items;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const v of this.items) fn.call(thisArg, v, this.keyOf(v), this);
  }
}
