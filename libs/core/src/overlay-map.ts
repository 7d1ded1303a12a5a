const GONE: unique symbol = Symbol('gone');
type Slot<V> = V | typeof GONE;

/**
 * An immutable map made of a shared base and a small layer of changes on top (set or removed
 * keys): a delta of k rows makes a new map in O(k) instead of copying all n entries, and the old
 * snapshot's map stays valid. When the layer grows past 1/16 of the base (at least 1,024) it is
 * flattened into a new base, so a lookup costs at most two Map probes and copying is amortized.
 */
export class OverlayMap<K, V> implements ReadonlyMap<K, V> {
  readonly size: number;

  private constructor(
    private readonly base: ReadonlyMap<K, V>,
    private readonly top: ReadonlyMap<K, Slot<V>>,
    size: number,
  ) {
    this.size = size;
  }

  /** `prev` with `removed` keys deleted, then `set` entries added (a key in both ends up set). */
  static derive<K, V>(prev: ReadonlyMap<K, V>, removed: Iterable<K>, set: Iterable<readonly [K, V]>): ReadonlyMap<K, V> {
    const base = prev instanceof OverlayMap ? (prev.base as ReadonlyMap<K, V>) : prev;
    const top = new Map<K, Slot<V>>(prev instanceof OverlayMap ? (prev.top as ReadonlyMap<K, Slot<V>>) : undefined);
    let size = prev.size;
    for (const k of removed) {
      if (top.has(k) ? top.get(k) !== GONE : base.has(k)) size--;
      if (base.has(k)) top.set(k, GONE);
      else top.delete(k);
    }
    for (const [k, v] of set) {
      if (!(top.has(k) ? top.get(k) !== GONE : base.has(k))) size++;
      top.set(k, v);
    }
    if (top.size > Math.max(1024, base.size / 16)) {
      const flat = new Map(base);
      for (const [k, v] of top) {
        if (v === GONE) flat.delete(k);
        else flat.set(k, v);
      }
      return flat;
    }
    return new OverlayMap(base, top, size);
  }

  get(key: K): V | undefined {
    const v = this.top.get(key);
    if (v !== undefined) return v === GONE ? undefined : v;
    return this.base.get(key);
  }

  has(key: K): boolean {
    const v = this.top.get(key);
    if (v !== undefined) return v !== GONE;
    return this.base.has(key);
  }

  *entries(): MapIterator<[K, V]> {
    for (const [k, v] of this.top) if (v !== GONE) yield [k, v];
    for (const e of this.base) if (!this.top.has(e[0])) yield e;
  }

  *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }
}
