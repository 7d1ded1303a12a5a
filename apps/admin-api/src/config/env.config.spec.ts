import { loadEnv } from './env.config';

describe('loadEnv', () => {
  it('applies the defaults of docs/configuration.md', () => {
    const cfg = loadEnv({});
    expect(cfg.ADMIN_HOST).toBe('127.0.0.1');
    expect(cfg.ADMIN_PORT).toBe(8001);
    expect(cfg).toMatchObject({ OAUTH2_ADMIN_MAX_AUTH_FAILURES: 10, OAUTH2_ADMIN_AUTH_FAILURE_WINDOW_S: 60 });
    expect(cfg.OAUTH2_DATA_DIR).toMatch(/\/data$/);
    expect(cfg.OAUTH2_ADMIN_TOKEN).toBeUndefined();
  });

  it('treats empty variables as absent', () => {
    expect(loadEnv({ ADMIN_PORT: '', ADMIN_HOST: ' ', OAUTH2_ADMIN_TOKEN: '' })).toMatchObject({ ADMIN_PORT: 8001, ADMIN_HOST: '127.0.0.1', OAUTH2_ADMIN_TOKEN: undefined });
  });

  it.each([
    [{ ADMIN_PORT: '0' }, 0],
    [{ ADMIN_PORT: '65535' }, 65535],
  ])('accepts port %j', (env, port) => {
    expect(loadEnv(env).ADMIN_PORT).toBe(port);
  });

  it.each([
    [{ ADMIN_PORT: '-1' }, 'ADMIN_PORT'],
    [{ ADMIN_PORT: '65536' }, 'ADMIN_PORT'],
    [{ ADMIN_PORT: '80a' }, 'ADMIN_PORT'],
    [{ ADMIN_HOST: 'a b' }, 'ADMIN_HOST'],
    [{ OAUTH2_ADMIN_TOKEN: 'short' }, 'OAUTH2_ADMIN_TOKEN'],
    [{ OAUTH2_ADMIN_TOKEN: 'with space in the middle!' }, 'OAUTH2_ADMIN_TOKEN'],
    [{ OAUTH2_MASTER_KEY: 'abc' }, 'OAUTH2_MASTER_KEY'],
    [{ OAUTH2_MASTER_KEY: 'g'.repeat(64) }, 'OAUTH2_MASTER_KEY'],
    [{ OAUTH2_ADMIN_MAX_AUTH_FAILURES: '-1' }, 'OAUTH2_ADMIN_MAX_AUTH_FAILURES'],
    [{ OAUTH2_ADMIN_MAX_AUTH_FAILURES: 'ten' }, 'OAUTH2_ADMIN_MAX_AUTH_FAILURES'],
    [{ OAUTH2_ADMIN_AUTH_FAILURE_WINDOW_S: '0' }, 'OAUTH2_ADMIN_AUTH_FAILURE_WINDOW_S'],
  ])('refuses %j naming %s', (env, name) => {
    expect(() => loadEnv(env)).toThrow(name);
  });

  it('reports every bad variable in one line, without echoing secret values', () => {
    let msg = '';
    try {
      loadEnv({ ADMIN_PORT: 'x', OAUTH2_ADMIN_TOKEN: 'tiny-secret', OAUTH2_MASTER_KEY: 'not-a-key' });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).not.toContain('\n');
    for (const v of ['ADMIN_PORT', 'OAUTH2_ADMIN_TOKEN', 'OAUTH2_MASTER_KEY']) expect(msg).toContain(v);
    expect(msg).not.toContain('tiny-secret');
    expect(msg).not.toContain('not-a-key');
  });

  it('accepts a 32-byte master key as hex or base64url', () => {
    expect(loadEnv({ OAUTH2_MASTER_KEY: 'ab'.repeat(32) }).OAUTH2_MASTER_KEY).toBe('ab'.repeat(32));
    expect(() => loadEnv({ OAUTH2_MASTER_KEY: Buffer.alloc(32, 7).toString('base64url') })).not.toThrow();
  });
});

describe('loadEnv: the one-line shape shared with the gateway', () => {
  it('every bad variable, `NAME="value" must be ...`, secrets hidden', () => {
    let msg = '';
    try {
      loadEnv({ ADMIN_PORT: 'abc', ADMIN_HOST: 'a b', OAUTH2_ADMIN_TOKEN: 'short' });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toBe(
      'invalid environment: ADMIN_HOST="a b" must be a host name or IP address; ADMIN_PORT="abc" must be an integer 0-65535 (0 = any free port); OAUTH2_ADMIN_TOKEN (value hidden) must be 16-4096 printable ASCII characters without spaces',
    );
  });
});
