import type { IncomingMessage } from 'node:http';
import { continueBlockLength } from './forwarder';
import { upstreamRequestHeaders } from './headers';

const req = (raw: string[]) => {
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) headers[raw[i].toLowerCase()] = raw[i + 1];
  return { rawHeaders: raw, headers, socket: { remoteAddress: '10.0.0.1' } } as unknown as IncomingMessage;
};
const names = (out: string[]) => out.filter((_, i) => i % 2 === 0);

describe('upstreamRequestHeaders: names an upstream folds (`_` = `-`)', () => {
  it.each(['X_Mse_Consumer', 'X-Mse_Consumer', 'x_MSE_consumer', 'X-Authenticated-Scope', 'X_Authenticated-Scope', 'X_Forwarded_For', 'X-Forwarded_Host', 'x_forwarded_proto'])(
    'drops a client %s',
    (name) => {
      const out = upstreamRequestHeaders(req([name, 'evil', 'Accept', 'a']), null, null);
      expect(out).not.toContain('evil');
      expect(out).toContain('Accept');
    },
  );

  it('a custom auth header: its `_` twin is dropped, the exact spelling kept (keep_token=true)', () => {
    const out = upstreamRequestHeaders(req(['X-Api-Token', 'verified', 'X_Api_Token', 'forged', 'X-Api_Token', 'forged2']), 'c1', null, 'x-api-token');
    expect(out).toContain('verified');
    expect(out).not.toContain('forged');
    expect(out).not.toContain('forged2');
  });

  it('an auth header named with `_`: its `-` twin is dropped too', () => {
    const out = upstreamRequestHeaders(req(['X_Token', 'verified', 'X-Token', 'forged']), 'c1', null, 'x_token');
    expect(out).toEqual(expect.arrayContaining(['X_Token', 'verified']));
    expect(out).not.toContain('forged');
  });

  it('keeps other names with `_`', () => {
    expect(names(upstreamRequestHeaders(req(['X_Api_Version', '2', 'Authori_zation', 'x']), null, null))).toEqual(expect.arrayContaining(['X_Api_Version', 'Authori_zation']));
  });
});

describe('continueBlockLength', () => {
  const b = (s: string) => Buffer.from(s, 'latin1');
  it.each<[string, number]>([
    ['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n', 25],
    ['HTTP/1.0 100 Continue\r\n\r\n', 25],
    ['HTTP/1.1 100\r\n\r\n', 16],
    ['HTTP/1.1 100 Continue\r\nX-A: 1\r\n\r\n', 33],
    ['HTTP/1.1 100 Continue\r\n', 0], // incomplete: left to undici
    ['HTTP/1.1 200 OK\r\n\r\n', 0],
    ['HTTP/1.1 1000 x\r\n\r\n', 0],
    ['HTTP/1.1 103 Early Hints\r\n\r\n', 0],
    ['hello', 0],
  ])('%j -> %d', (text, len) => {
    expect(continueBlockLength(b(text))).toBe(len);
  });
  it('from an offset', () => {
    expect(continueBlockLength(b('xxHTTP/1.1 100 Continue\r\n\r\n'), 2)).toBe(25);
  });
});
