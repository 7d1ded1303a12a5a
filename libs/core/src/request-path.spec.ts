import { hasDotSegment } from './request-path';

describe('hasDotSegment', () => {
  it.each([
    ['/a/../b', true],
    ['/a/./b', true],
    ['/..', true],
    ['/a/%2e%2E/b', true],
    ['/a/.%2e', true],
    ['/a%2f..%2fb', true],
    ['/a\\..\\b', true],
    ['/a/..b/c', false],
    ['/a/b.c/d', false],
    ['/.well-known/x', false],
    ['/a%20b', false],
  ])('%s -> %s', (p, expected) => {
    expect(hasDotSegment(p)).toBe(expected);
  });
});
