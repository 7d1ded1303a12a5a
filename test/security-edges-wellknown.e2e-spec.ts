import { seededStackPerBlock } from '@oauth2/testing';

// RFC 8414 metadata and shared caches (issue 11): an answer built from the client's Host (and,
// before, its X-Forwarded-Proto) was served `Cache-Control: public, max-age=300`, so one request
// through a shared cache could point every later client's token_endpoint at an attacker's host.
jest.setTimeout(60_000);

const META = '/.well-known/oauth-authorization-server';

describe('RFC 8414 metadata without public_base_url: reflected, so never cacheable', () => {
  const s = seededStackPerBlock();

  it('a hostile Host and X-Forwarded-Proto: no-store, Vary: Host, and the forwarded scheme is ignored', async () => {
    const r = await s.request(META, { headers: { host: 'evil.example', 'x-forwarded-proto': 'https' } });
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers.vary).toBe('Host');
    expect(r.json.token_endpoint).toBe('http://evil.example/oauth2/token');
    expect(r.json.jwks_uri).toBe('http://evil.example/.well-known/jwks.json');
  });

  it('the JWKS does not depend on the request: still public, max-age=300', async () => {
    const r = await s.request('/.well-known/jwks.json', { headers: { host: 'evil.example' } });
    expect(r.headers['cache-control']).toBe('public, max-age=300');
  });
});

describe('RFC 8414 metadata with public_base_url: fixed URLs, cacheable', () => {
  const s = seededStackPerBlock({ settings: { public_base_url: 'https://auth.example.com/gw/', auth_path: '/oauth2/token' } });

  it('any Host and X-Forwarded-Proto get the same answer, public, max-age=300', async () => {
    const variants: Record<string, string>[] = [{ host: 'evil.example', 'x-forwarded-proto': 'http' }, { host: 'auth.example.com' }, {}];
    for (const headers of variants) {
      const r = await s.request(META, { headers });
      expect(r.status).toBe(200);
      expect(r.headers['cache-control']).toBe('public, max-age=300');
      expect(r.json.token_endpoint).toBe('https://auth.example.com/gw/oauth2/token');
      expect(r.json.jwks_uri).toBe('https://auth.example.com/gw/.well-known/jwks.json');
    }
  });

  it('a Host the metadata could not use is no longer needed (no 400)', async () => {
    expect((await s.request(META, { headers: { host: 'evil"host' } })).status).toBe(200);
  });

  it('is a setting like the others: PATCH refuses a bad URL, GET and export show it, "" unsets it', async () => {
    const bad = await s.admin.api('PATCH', '/v1/settings', { public_base_url: 'https://auth.example.com/?q=1' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('public_base_url must be an absolute http(s) URL');
    expect((await s.call('GET', '/v1/settings')).public_base_url).toBe('https://auth.example.com/gw/');
    const exported = await s.admin.api('GET', '/v1/export?redact=true');
    expect(exported.text).toContain('public_base_url');
    await s.call('PATCH', '/v1/settings', { public_base_url: '' });
    await s.sync();
    const r = await s.request(META, { headers: { host: 'other.example' } });
    expect([r.headers['cache-control'], r.json.token_endpoint]).toEqual(['no-store', 'http://other.example/oauth2/token']);
    expect((await s.admin.api('GET', '/v1/export?redact=true')).text).not.toContain('public_base_url');
  });

  it('/v1/apply takes it back from an export (and refuses a bad one)', async () => {
    await s.call('PATCH', '/v1/settings', { public_base_url: 'https://auth.example.com' });
    const doc = (await s.admin.api('GET', '/v1/export')).json;
    await s.call('PATCH', '/v1/settings', { public_base_url: '' });
    expect((await s.admin.api('POST', '/v1/apply', doc)).status).toBe(200);
    expect((await s.call('GET', '/v1/settings')).public_base_url).toBe('https://auth.example.com');
    doc.spec.defaultConfig.public_base_url = 'auth.example.com';
    const bad = await s.admin.api('POST', '/v1/apply', doc);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('public_base_url must be an absolute http(s) URL');
  });
});
