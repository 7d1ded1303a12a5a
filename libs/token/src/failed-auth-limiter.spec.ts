import { FailedAuthLimiter, type FailedAuthLimiterOptions } from './failed-auth-limiter';

/** A limiter on a hand-driven clock (milliseconds). */
function make(opts: FailedAuthLimiterOptions = {}) {
  let t = 1_000_000;
  const limiter = new FailedAuthLimiter({ now: () => t, ...opts });
  return { limiter, advance: (ms: number) => (t += ms) };
}

/** Steps of a scenario: `f` = failure of id, `c` = check of id, `t` = advance the clock by ms. */
type Step = ['f' | 'c', string, false | number] | ['t', number];

const run = (steps: Step[], opts: FailedAuthLimiterOptions = {}) => {
  const { limiter, advance } = make(opts);
  steps.forEach((s, i) => {
    if (s[0] === 't') return void advance(s[1]);
    const [op, id, expected] = s;
    const v = op === 'f' ? limiter.recordFailure(id) : limiter.check(id);
    const got = v.locked ? v.retryAfterSeconds : false;
    if (got !== expected) throw new Error(`step ${i} (${op} ${id}): expected ${expected}, got ${got}`);
  });
  return limiter;
};

const fails = (id: string, n: number): Step[] => Array.from({ length: n }, () => ['f', id, false] as Step);

describe('FailedAuthLimiter', () => {
  it.each<[string, Step[], FailedAuthLimiterOptions]>([
    ['defaults: 9 failures stay open, the 10th locks for the rest of 60 s', [...fails('a', 9), ['c', 'a', false], ['f', 'a', 60], ['c', 'a', 60]], {}],
    [
      'Retry-After counts down to the end of the window (rounded up)',
      [...fails('a', 2), ['f', 'a', 60], ['t', 500], ['c', 'a', 60], ['t', 500], ['c', 'a', 59], ['t', 58_999], ['c', 'a', 1]],
      { maxFailures: 3 },
    ],
    ['the window frees exactly at its end', [...fails('a', 2), ['f', 'a', 60], ['t', 60_000], ['c', 'a', false], ['f', 'a', false]], { maxFailures: 3 }],
    [
      'a locked id stays locked whatever else it sends (checks do not extend the lock)',
      [...fails('a', 2), ['f', 'a', 60], ['t', 30_000], ['c', 'a', 30], ['f', 'a', 30], ['f', 'a', 30]],
      { maxFailures: 3 },
    ],
    ['failures of one id never lock another', [...fails('a', 2), ['f', 'a', 60], ['c', 'b', false], ['f', 'b', false], ['c', 'a', 60]], { maxFailures: 3 }],
    ['fixed window: failures spread over two windows do not add up', [...fails('a', 2), ['t', 60_000], ...fails('a', 2), ['c', 'a', false]], { maxFailures: 3 }],
    [
      'a custom window',
      [
        ['f', 'a', false],
        ['f', 'a', 5],
        ['t', 4_001],
        ['c', 'a', 1],
        ['t', 999],
        ['c', 'a', false],
      ],
      { maxFailures: 2, windowSeconds: 5 },
    ],
    ['maxFailures 1: the first failure locks', [['f', 'a', 60]], { maxFailures: 1 }],
    ['disabled (maxFailures 0): never locks', [...fails('a', 1000), ['c', 'a', false]], { maxFailures: 0 }],
    [
      'long ids are tracked too (by digest), and distinct long ids stay distinct',
      [...fails('x'.repeat(5000), 2), ['f', 'x'.repeat(5000), 60], ['c', 'x'.repeat(4999) + 'y', false]],
      { maxFailures: 3 },
    ],
  ])('%s', (_name, steps, opts) => {
    expect(() => run(steps, opts)).not.toThrow();
  });

  it('memory is bounded: beyond maxTracked the oldest window is evicted', () => {
    const { limiter } = make({ maxFailures: 2, maxTracked: 100 });
    limiter.recordFailure('victim');
    for (let i = 0; i < 10_000; i++) limiter.recordFailure(`id-${i}`);
    expect(limiter.size).toBe(100);
    // The victim's single failure was forgotten: it needs two new ones to lock.
    expect(limiter.recordFailure('victim').locked).toBe(false);
    expect(limiter.recordFailure('victim').locked).toBe(true);
  });

  it('eviction takes the oldest window, not the most recently failed id', () => {
    const { limiter, advance } = make({ maxFailures: 3, maxTracked: 2 });
    limiter.recordFailure('old');
    advance(10);
    limiter.recordFailure('newer');
    advance(10);
    limiter.recordFailure('old'); // same window: keeps its place as the oldest
    limiter.recordFailure('newest'); // evicts "old"
    expect(limiter.size).toBe(2);
    expect(limiter.recordFailure('newer').locked).toBe(false);
    expect(limiter.recordFailure('newer').locked).toBe(true);
    expect(limiter.check('old').locked).toBe(false);
  });

  it('an expired entry is dropped on check', () => {
    const { limiter, advance } = make({ maxFailures: 3 });
    limiter.recordFailure('a');
    expect(limiter.size).toBe(1);
    advance(60_000);
    expect(limiter.check('a').locked).toBe(false);
    expect(limiter.size).toBe(0);
  });

  it('at the cap, one insertion evicts exactly one entry', () => {
    const { limiter } = make({ maxTracked: 50_000 });
    for (let i = 0; i < 50_000; i++) limiter.recordFailure(`id-${i}`);
    const before = limiter.size;
    limiter.recordFailure('one-more');
    expect(limiter.size).toBe(before); // exactly one eviction for one insertion
  });

  it.each([[{ maxFailures: -1 }], [{ maxFailures: 1.5 }], [{ windowSeconds: 0 }], [{ windowSeconds: Number.NaN }], [{ maxTracked: 0 }]])('refuses bad options %j', (opts) => {
    expect(() => new FailedAuthLimiter(opts)).toThrow(RangeError);
  });

  it('uses the wall clock by default', () => {
    const l = new FailedAuthLimiter({ maxFailures: 1 });
    const v = l.recordFailure('a');
    expect(v).toEqual({ locked: true, retryAfterSeconds: 60 });
  });
});
