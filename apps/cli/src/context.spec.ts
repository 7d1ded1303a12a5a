import { sendsTokenInClear } from './context';

describe('sendsTokenInClear (the plain-http warning)', () => {
  it.each(['http://10.0.0.5:8001', 'http://admin.internal:8001', 'http://[2001:db8::1]:8001', 'http://128.0.0.1'])('%s: yes', (s) => expect(sendsTokenInClear(s)).toBe(true));
  it.each([
    'https://admin.internal',
    'http://127.0.0.1:8001',
    'http://127.1.2.3',
    'http://localhost:8001',
    'http://LOCALHOST',
    'http://a.localhost',
    'http://[::1]:8001',
    'http://[::ffff:127.0.0.1]:1',
    'not a url',
  ])('%s: no', (s) => expect(sendsTokenInClear(s)).toBe(false));
});
