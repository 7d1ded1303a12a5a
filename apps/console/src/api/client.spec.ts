import { errorLine } from './client';

describe('errorLine: one readable line naming the field', () => {
  it.each([
    [400, { code: 400, msg: 'client_secret must be longer than or equal to 32 characters' }, 'Refused (400): client_secret must be longer than or equal to 32 characters'],
    [409, { code: 409, msg: 'already used by another consumer', field: 'client_id' }, 'Conflict (409): client_id: already used by another consumer'],
    [409, { code: 409, msg: 'client_id "c" is already used', field: 'client_id' }, 'Conflict (409): client_id "c" is already used'],
    [401, { code: 401, msg: 'invalid admin token' }, 'Not signed in (401): invalid admin token'],
    [403, { code: 403, msg: 'role viewer may not consumer.create' }, 'Forbidden (403): role viewer may not consumer.create'],
    [502, undefined, 'Server error (502): Bad Gateway'],
    [400, { code: 400, msg: 'a\n  b\tc' }, 'Refused (400): a b c'],
  ])('%i %j', (status, body, line) => {
    expect(errorLine(status, body, 'Bad Gateway')).toBe(line);
  });
});
