import type { IncomingMessage } from 'node:http';
import { compileRoutes, type RouteRecord } from '@oauth2/core';
import { parseBasic } from '../token-endpoint/client-auth';
import { upstreamPath } from './forwarder';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers';

const route = (r: Partial<RouteRecord>) => compileRoutes([{ name: 'r', hosts: [], path_prefix: '/', upstream: 'http://u', strip_prefix: false, ...r }]).byName.get('r')!;

describe('upstreamPath', () => {
  it.each([
    ['/api', true, '', '/api/x/y', '?q=1', '/x/y?q=1'],
    ['/api/', true, '', '/api', '', '/'],
    ['/api', true, '/base', '/api/', '', '/base/'],
    ['/api', false, '/base', '/api/x', '', '/base/api/x'],
    ['/', true, '/base', '/x', '', '/base/x'],
    ['/', false, '', '/', '?a', '/?a'],
  ])('prefix %s strip=%s base=%s: %s%s -> %s', (prefix, strip, base, path, query, expected) => {
    expect(upstreamPath(route({ path_prefix: prefix, strip_prefix: strip }), base, path, query)).toBe(expected);
  });
});

describe('parseBasic (RFC 6749 §2.3.1)', () => {
  const b64 = (s: string) => 'Basic ' + Buffer.from(s).toString('base64');
  it.each([
    [b64('id:secret'), { ok: true, clientId: 'id', clientSecret: 'secret' }],
    [b64('a%3Ab:s%2Bx+y'), { ok: true, clientId: 'a:b', clientSecret: 's+x y' }],
    [b64('id:se:cret'), { ok: true, clientId: 'id', clientSecret: 'se:cret' }],
    [b64('nocolon'), { ok: false }],
    [b64('id:%zz'), { ok: false }],
    ['Basic !!!!', { ok: false }],
    ['Basic ', { ok: false }],
  ])('%s', (header, expected) => {
    expect(parseBasic(header)).toEqual(expected);
  });
});

describe('headers', () => {
  const req = (raw: string[], remote = '10.0.0.1') => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < raw.length; i += 2) headers[raw[i].toLowerCase()] = raw[i + 1];
    return { rawHeaders: raw, headers, socket: { remoteAddress: remote } } as unknown as IncomingMessage;
  };

  it('drops hop-by-hop, Connection-listed, Proxy-*, Host, Expect and client X-Mse-Consumer; adds X-Forwarded-* and the consumer', () => {
    const out = upstreamRequestHeaders(
      req([
        'Host',
        'front',
        'Connection',
        'close, X-Foo',
        'X-Foo',
        '1',
        'TE',
        'trailers',
        'Proxy-Authorization',
        'x',
        'Expect',
        '100-continue',
        'X-Mse-Consumer',
        'evil',
        'X-Forwarded-For',
        '1.2.3.4',
        'Accept',
        'a',
        'Accept',
        'b',
      ]),
      'c1',
      null,
    );
    expect(out).toEqual(['Accept', 'a', 'Accept', 'b', 'x-forwarded-for', '1.2.3.4, 10.0.0.1', 'x-forwarded-proto', 'http', 'x-forwarded-host', 'front', 'x-mse-consumer', 'c1']);
  });

  it('drops the auth header when asked (keep_token=false)', () => {
    const out = upstreamRequestHeaders(req(['Authorization', 'Bearer t', 'X-Keep', 'k']), 'c1', 'authorization');
    expect(out.map((h) => h.toLowerCase())).not.toContain('authorization');
    expect(out).toContain('X-Keep');
  });

  it('filters the upstream response', () => {
    expect(clientResponseHeaders({ connection: 'x-a', 'x-a': '1', 'transfer-encoding': 'chunked', 'proxy-authenticate': 'b', 'set-cookie': ['a', 'b'], 'content-length': '3' })).toEqual({
      'set-cookie': ['a', 'b'],
      'content-length': '3',
    });
  });
});
