import { hasRepeatedHeader } from './repeated-header';

describe('hasRepeatedHeader', () => {
  it.each([
    ['one Host, one Authorization', ['Host', 'a', 'Authorization', 'Bearer x'], false],
    ['Host twice, case folded', ['Host', 'a', 'HOST', 'b'], true],
    ['Authorization twice', ['authorization', 'Bearer x', 'Authorization', 'Bearer y'], true],
    ['other headers repeated', ['Accept', 'a', 'accept', 'b', 'Host', 'a'], false],
  ])('%s', (_name, raw, want) => expect(hasRepeatedHeader(raw as string[], 'authorization')).toBe(want));

  it('counts the configured auth header, not Authorization, when they differ', () => {
    expect(hasRepeatedHeader(['X-Token', 'a', 'x-token', 'b'], 'x-token')).toBe(true);
    expect(hasRepeatedHeader(['Authorization', 'a', 'authorization', 'b'], 'x-token')).toBe(false);
  });
});
