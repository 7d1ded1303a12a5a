import { compileSnapshot, rotatedOut } from './snapshot';
import { DEFAULT_SETTINGS } from './settings';

// The rotation rule (SPEC §8.4, snapshot.ts PreviousSecret): once the grace has ended, a token
// issued before the rotation (or without iat) is refused, whatever signed it.
const R = 1_700_000_000;
const window = { rotated_at: R, expires_at: R + 30 };

describe('rotatedOut', () => {
  it.each([
    ['issued before the rotation, grace running', R - 5, R + 10, false],
    ['issued before the rotation, grace over', R - 5, R + 30, true],
    ['issued before the rotation, long after', R - 5, R + 99_999, true],
    ['no iat, grace over', undefined, R + 30, true],
    ['a non-numeric iat, grace over', '0', R + 30, true],
    ['issued in the rotation second, grace over', R, R + 30, false],
    ['issued after the rotation, grace over', R + 1, R + 31, false],
  ])('%s', (_name, iat, now, refused) => {
    expect(rotatedOut({ previous: window }, iat, now)).toBe(refused);
  });

  it('never refuses a consumer without a rotation', () => {
    expect(rotatedOut({ previous: null }, undefined, R)).toBe(false);
    expect(rotatedOut({}, undefined, R)).toBe(false);
  });

  it('compiles the stored columns into the consumer, and nothing for a consumer without them', () => {
    const snap = compileSnapshot({
      revision: 1,
      settings: DEFAULT_SETTINGS,
      routes: [],
      rules: [],
      consumers: [
        { name: 'a', client_id: 'a-id', client_secret: 'x'.repeat(32), previous_secret: 'y'.repeat(32), rotated_at: R, previous_expires_at: R + 30 },
        { name: 'b', client_id: 'b-id', client_secret: 'z'.repeat(32), previous_secret: null, rotated_at: R, previous_expires_at: R + 30 },
        { name: 'c', client_id: 'c-id', client_secret: 'w'.repeat(32) },
      ],
    });
    const a = snap.consumersByClientId.get('a-id')!.previous!;
    expect([a.secret, a.key?.toString(), a.rotated_at, a.expires_at]).toEqual(['y'.repeat(32), 'y'.repeat(32), R, R + 30]);
    expect(snap.consumersByClientId.get('b-id')!.previous).toMatchObject({ secret: null, key: null, rotated_at: R });
    expect(snap.consumersByClientId.get('c-id')!.previous).toBeNull();
  });
});
