import type { IncomingMessage } from 'node:http';
import { compileRoutes, type RouteRecord } from '@oauth2/core';
import { parseBasic } from '../token-endpoint/client-auth';
import { upstreamPath } from './forwarder';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers';
import { TrustedProxies } from './trusted-proxies';

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
    // The peer is no trusted proxy (GATEWAY_TRUSTED_PROXIES unset): its X-Forwarded-For is not kept.
    expect(out).toEqual(['Accept', 'a', 'Accept', 'b', 'x-forwarded-for', '10.0.0.1', 'x-forwarded-proto', 'http', 'x-forwarded-host', 'front', 'x-mse-consumer', 'c1']);
  });

  it("a trusted proxy: its X-Forwarded-For is appended to and its X-Forwarded-Proto: https believed; an untrusted peer's are not", () => {
    const sent = ['Host', 'front', 'X-Forwarded-For', '1.2.3.4', 'X-Forwarded-Proto', 'https'];
    const trusted = new TrustedProxies('10.0.0.0/8, fd00::/8');
    const fwd = (o: string[]) => [o[o.indexOf('x-forwarded-for') + 1], o[o.indexOf('x-forwarded-proto') + 1]];
    expect(fwd(upstreamRequestHeaders(req(sent, '10.0.0.1'), null, null, 'authorization', trusted))).toEqual(['1.2.3.4, 10.0.0.1', 'https']);
    expect(fwd(upstreamRequestHeaders(req(sent, '::ffff:10.0.0.1'), null, null, 'authorization', trusted))).toEqual(['1.2.3.4, ::ffff:10.0.0.1', 'https']);
    expect(fwd(upstreamRequestHeaders(req(sent, '192.0.2.7'), null, null, 'authorization', trusted))).toEqual(['192.0.2.7', 'http']);
    expect(fwd(upstreamRequestHeaders(req(sent, '10.0.0.1'), null, null))).toEqual(['10.0.0.1', 'http']);
  });

  it('TrustedProxies: CIDRs and single addresses, v4 and v6; bad entries are one line', () => {
    const t = new TrustedProxies('192.0.2.1, 2001:db8::/32');
    const peer = (a: string) => ({ socket: { remoteAddress: a }, headers: { 'x-forwarded-proto': 'https' } }) as unknown as IncomingMessage;
    expect(t.secure(peer('192.0.2.1'))).toBe(true);
    expect(t.secure(peer('192.0.2.2'))).toBe(false);
    expect(t.secure(peer('2001:db8::5'))).toBe(true);
    expect(t.secure({ socket: { remoteAddress: '192.0.2.1' }, headers: { 'x-forwarded-proto': 'https, http' } } as unknown as IncomingMessage)).toBe(false);
    expect(() => new TrustedProxies('10.0.0.0/33')).toThrow('"10.0.0.0/33" has a bad prefix length (0-32)');
    expect(() => new TrustedProxies('example.com')).toThrow('"example.com" is not an IPv4 or IPv6 address or CIDR');
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
