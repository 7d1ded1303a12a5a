import { RevocationRateLimiter } from './revocation-rate-limiter';

describe('RevocationRateLimiter', () => {
  it('allows the burst, then refuses with a Retry-After until the bucket refills', () => {
    let t = 1_000_000;
    const l = new RevocationRateLimiter({ perSecond: 2, burst: 3, now: () => t });
    expect([l.take('a'), l.take('a'), l.take('a')]).toEqual([0, 0, 0]);
    expect(l.take('a')).toBe(1);
    expect(l.take('b')).toBe(0); // another client has its own bucket
    t += 500;
    expect(l.take('a')).toBe(0);
    expect(l.take('a')).toBe(1);
  });

  it('bounds the tracked clients', () => {
    const l = new RevocationRateLimiter({ maxTracked: 2, now: () => 0 });
    l.take('a');
    l.take('b');
    l.take('c');
    expect(l.size).toBe(2);
  });
});
