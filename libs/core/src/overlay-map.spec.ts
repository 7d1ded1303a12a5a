import { OverlayMap } from './overlay-map';

/** Deterministic PRNG (fixed seed): a failure replays. */
function lcg(seed: number): (n: number) => number {
  let x = seed >>> 0;
  return (n) => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x % n;
  };
}

describe('OverlayMap', () => {
  it('behaves as a copied Map after each of 3,000 random derives, through layering and flattening', () => {
    const rand = lcg(42);
    let plain = new Map<number, string>();
    for (let i = 0; i < 2000; i++) plain.set(i, `v${i}`);
    let m: ReadonlyMap<number, string> = new Map(plain);
    const kept: Array<[ReadonlyMap<number, string>, Map<number, string>]> = [];
    let layered = 0;
    for (let step = 0; step < 3000; step++) {
      const removed = Array.from({ length: rand(4) }, () => rand(2600));
      const set = Array.from({ length: rand(4) }, () => [rand(2600), `s${step}`] as const);
      const next = new Map(plain);
      for (const k of removed) next.delete(k);
      for (const [k, v] of set) next.set(k, v);
      m = OverlayMap.derive(m, removed, set);
      plain = next;
      if (m instanceof OverlayMap) layered++;
      expect(m.size).toBe(plain.size);
      const probe = rand(2600);
      expect(m.get(probe)).toBe(plain.get(probe));
      expect(m.has(probe)).toBe(plain.has(probe));
      if (step % 250 === 0) {
        expect(new Map(m)).toEqual(plain);
        kept.push([m, new Map(plain)]);
      }
    }
    expect(layered).toBeGreaterThan(100);
    expect(layered).toBeLessThan(3000); // it flattened too
    // Older maps are untouched by later derives (immutable).
    for (const [old, expected] of kept) expect(new Map(old)).toEqual(expected);
  });

  it('forEach, keys and values agree with entries', () => {
    const m = OverlayMap.derive(
      new Map([
        [1, 'a'],
        [2, 'b'],
      ]),
      [1],
      [[3, 'c']],
    );
    const seen: Array<[number, string]> = [];
    m.forEach((v, k) => seen.push([k, v]));
    expect(seen.sort()).toEqual([
      [2, 'b'],
      [3, 'c'],
    ]);
    expect([...m.keys()].sort()).toEqual([2, 3]);
    expect([...m.values()].sort()).toEqual(['b', 'c']);
  });
});
