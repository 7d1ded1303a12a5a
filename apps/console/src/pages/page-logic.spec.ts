import { applyMoves, moveTo, type Placed } from './reorder';
import { parseGrace } from './grace';
import { niceMax, ticks, totalsByRoute } from './chart';

const ids = (rules: Placed[]) => rules.map((r) => r.id);

describe('moveTo: reordering policies through position', () => {
  const spaced = [
    { id: 1, position: 10 },
    { id: 2, position: 20 },
    { id: 3, position: 30 },
  ];
  it.each([
    [2, 1, [1, 3, 2]],
    [1, 0, [2, 1, 3]],
    [0, 1, [2, 1, 3]],
    [0, 2, [2, 3, 1]],
    [2, 0, [3, 1, 2]],
  ])('spaced: %i -> %i is one PUT and gives %j', (from, to, want) => {
    const moves = moveTo(spaced, from, to);
    expect(moves).toHaveLength(1);
    expect(ids(applyMoves(spaced, moves))).toEqual(want);
  });

  it('adjacent positions (1, 2, 3): renumbers, PUTting only what changes', () => {
    const tight = [
      { id: 1, position: 1 },
      { id: 2, position: 2 },
      { id: 3, position: 3 },
    ];
    const moves = moveTo(tight, 2, 1);
    expect(ids(applyMoves(tight, moves))).toEqual([1, 3, 2]);
    expect(moves.length).toBeGreaterThan(1);
  });

  it('equal positions (ordered by id): renumbers', () => {
    const tied = [
      { id: 4, position: 5 },
      { id: 7, position: 5 },
      { id: 9, position: 5 },
    ];
    expect(ids(applyMoves(tied, moveTo(tied, 2, 0)))).toEqual([9, 4, 7]);
    expect(ids(applyMoves(tied, moveTo(tied, 0, 1)))).toEqual([7, 4, 9]);
  });

  it('to the top when the first is at 0: renumbers; to the bottom: one PUT past the last', () => {
    const zero = [
      { id: 1, position: 0 },
      { id: 2, position: 40 },
    ];
    expect(ids(applyMoves(zero, moveTo(zero, 1, 0)))).toEqual([2, 1]);
    const bottom = moveTo(zero, 0, 1);
    expect(bottom).toEqual([{ id: 1, position: 50 }]);
  });

  it('a renumbering stays near the move: the rules far from it are not PUT', () => {
    // An import left rule 1 naming a route that does not exist yet: the API would refuse to take it back.
    const imported = [
      { id: 1, position: 1 },
      { id: 2, position: 2 },
      { id: 3, position: 3 },
      { id: 4, position: 1 },
      { id: 5, position: 4 },
    ].sort((x, y) => x.position - y.position || x.id - y.id);
    expect(ids(imported)).toEqual([1, 4, 2, 3, 5]);
    for (let at = ids(imported).indexOf(5), list = imported; at > 1; at--) {
      const moves = moveTo(list, at, at - 1);
      expect(moves.map((m) => m.id)).not.toContain(1);
      list = applyMoves(list, moves);
      expect(ids(list).indexOf(5)).toBe(at - 1);
    }
  });

  it('no move, or out of range: nothing', () => {
    expect(moveTo(spaced, 1, 1)).toEqual([]);
    expect(moveTo(spaced, 0, 3)).toEqual([]);
  });
});

describe('parseGrace', () => {
  it.each([
    ['0', 0],
    ['30', 30],
    ['30s', 30],
    ['15m', 900],
    ['2h', 7200],
    ['1d', 86400],
    ['30d', 2_592_000],
  ])('%s = %i s', (text, s) => expect(parseGrace(text)).toBe(s));
  it.each(['', '-1', '2 hours', '1.5h', '31d'])('%j is refused with a reason', (text) => expect(typeof parseGrace(text)).toBe('string'));
});

describe('dashboard totals', () => {
  it('sums nodes by route and outcome, routes by total, outcomes in a fixed order', () => {
    const t = totalsByRoute([{ counters: { a: { forbidden: 1, proxied: 2 }, b: { proxied: 5 } } }, { counters: { a: { proxied: 3, weird: 1 } } }]);
    expect(t.routes).toEqual([
      { route: 'a', total: 7, byOutcome: { forbidden: 1, proxied: 5, weird: 1 } },
      { route: 'b', total: 5, byOutcome: { proxied: 5 } },
    ]);
    expect(t.outcomes).toEqual(['proxied', 'forbidden', 'weird']);
  });
  it.each([
    [0, 1],
    [1, 1],
    [3, 5],
    [7, 10],
    [12, 20],
    [4000, 5000],
  ])('niceMax(%i) = %i', (v, m) => expect(niceMax(v)).toBe(m));
});

describe('chart ticks: whole numbers from 0, about four steps, covering the largest bar', () => {
  it.each([
    [1, [0, 1]],
    [5, [0, 2, 4, 6]],
    [12, [0, 5, 10, 15]],
    [100, [0, 50, 100]],
    [4000, [0, 1000, 2000, 3000, 4000]],
  ])('%i -> %j', (v, want) => expect(ticks(v)).toEqual(want));
});
