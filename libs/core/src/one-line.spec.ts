import { oneLine } from './one-line';

describe('oneLine', () => {
  it.each([
    ['an Error message', new Error('first\nsecond'), 'first second'],
    ['CRLF and tabs', 'a\r\n\tb  c', 'a b c'],
    ['a non-string', 42, '42'],
    ['surrounding blanks', '  x \n', 'x'],
  ])('%s', (_name, input, want) => expect(oneLine(input)).toBe(want));

  it('bounds the length when asked', () => expect(oneLine('x'.repeat(600), 500)).toHaveLength(500));
});
