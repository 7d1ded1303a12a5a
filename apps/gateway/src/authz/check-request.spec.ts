import { readCheckRequest } from './check-request';

describe('readCheckRequest: the original request out of each check shape', () => {
  it.each<[string, string, string, Record<string, string | string[]>, { shape: string; method: string; host?: string; target: string }]>([
    ['envoy: path less /envoy, own method and Host', '/envoy/api/x?q=1', 'POST', { host: 'api.test' }, { shape: 'envoy', method: 'POST', host: 'api.test', target: '/api/x?q=1' }],
    ['envoy: bare prefix is /', '/envoy', 'GET', { host: 'a' }, { shape: 'envoy', method: 'GET', host: 'a', target: '/' }],
    ['envoy: query on the bare prefix', '/envoy?x=1', 'GET', { host: 'a' }, { shape: 'envoy', method: 'GET', host: 'a', target: '/?x=1' }],
    ['envoy: encoded path kept for the normalizer', '/envoy/%61dmin//x', 'GET', { host: 'a' }, { shape: 'envoy', method: 'GET', host: 'a', target: '/%61dmin//x' }],
    [
      'nginx: X-Original-*',
      '/nginx',
      'GET',
      { host: 'auth', 'x-original-uri': '/api/x?y', 'x-original-method': 'DELETE', 'x-original-host': 'api.test' },
      { shape: 'nginx', method: 'DELETE', host: 'api.test', target: '/api/x?y' },
    ],
    [
      'nginx: Host when X-Original-Host is absent, own method when X-Original-Method is',
      '/nginx',
      'GET',
      { host: 'api.test', 'x-original-uri': '/a' },
      { shape: 'nginx', method: 'GET', host: 'api.test', target: '/a' },
    ],
    ['nginx: absolute-form X-Original-URI', '/nginx', 'GET', { host: 'h', 'x-original-uri': 'http://other.test/a' }, { shape: 'nginx', method: 'GET', host: 'h', target: 'http://other.test/a' }],
    [
      'forward: X-Forwarded-*',
      '/forward',
      'GET',
      { host: 'auth', 'x-forwarded-host': 'api.test', 'x-forwarded-uri': '/api/x?q=%2F', 'x-forwarded-method': 'PUT' },
      { shape: 'forward', method: 'PUT', host: 'api.test', target: '/api/x?q=%2F' },
    ],
    ['forward: its own query is ignored', '/forward?ignored=1', 'GET', { 'x-forwarded-host': 'h', 'x-forwarded-uri': '/' }, { shape: 'forward', method: 'GET', host: 'h', target: '/' }],
  ])('%s', (_n, url, method, headers, want) => {
    expect(readCheckRequest(url, method, headers)).toEqual({ ok: true, ...want });
  });

  it.each<[string, string, Record<string, string | string[]>, number, RegExp]>([
    ['nginx without X-Original-URI', '/nginx', { host: 'h' }, 400, /X-Original-URI/],
    ['nginx with two X-Original-URI', '/nginx', { 'x-original-uri': ['/a', '/b'] }, 400, /X-Original-URI more than once/],
    ['forward without X-Forwarded-Host', '/forward', { 'x-forwarded-uri': '/a' }, 400, /X-Forwarded-Host/],
    ['forward without X-Forwarded-Uri', '/forward', { 'x-forwarded-host': 'h' }, 400, /X-Forwarded-Uri/],
    ['forward with two X-Forwarded-Host', '/forward', { 'x-forwarded-host': ['a', 'b'], 'x-forwarded-uri': '/' }, 400, /X-Forwarded-Host more than once/],
    ['unknown path', '/other', {}, 404, /use \/envoy/],
    ['envoyx is not envoy', '/envoyx/a', {}, 404, /unknown check path/],
    ['nginx sub-path is not nginx', '/nginx/a', { 'x-original-uri': '/' }, 404, /unknown check path/],
  ])('%s: %d naming the header', (_n, url, headers, status, msg) => {
    const r = readCheckRequest(url, 'GET', headers);
    expect(r.ok).toBe(false);
    expect(r.ok === false && [r.status, r.msg]).toEqual([status, expect.stringMatching(msg)]);
  });
});
