import { EnvError, GatewayEnv, loadGatewayEnv } from './gateway-env';

describe('loadGatewayEnv', () => {
  it('applies the docs/configuration.md defaults; empty means unset', () => {
    const env = loadGatewayEnv({ GATEWAY_PORT: '' });
    expect(env).toMatchObject({
      GATEWAY_HOST: '0.0.0.0',
      GATEWAY_PORT: 8000,
      GATEWAY_STATUS_PORT: 8100,
      GATEWAY_WORKERS: 1,
      GATEWAY_RELOAD_MS: 200,
      GATEWAY_UPSTREAM_TIMEOUT_MS: 30000,
      GATEWAY_ACCESS_LOG: false,
      OAUTH2_DATA_DIR: './data',
    });
  });

  it('coerces numbers and booleans', () => {
    expect(loadGatewayEnv({ GATEWAY_PORT: '0', GATEWAY_WORKERS: '0', GATEWAY_ACCESS_LOG: 'true' })).toMatchObject({ GATEWAY_PORT: 0, GATEWAY_WORKERS: 0, GATEWAY_ACCESS_LOG: true });
  });

  it.each([
    ['GATEWAY_PORT', '65536'],
    ['GATEWAY_PORT', '80x'],
    ['GATEWAY_STATUS_PORT', '-1'],
    ['GATEWAY_WORKERS', '1.5'],
    ['GATEWAY_RELOAD_MS', '5'],
    ['GATEWAY_ACCESS_LOG', 'yes'],
  ])('%s=%s is refused in one line naming it', (name, value) => {
    expect(() => loadGatewayEnv({ [name]: value })).toThrow(EnvError);
    try {
      loadGatewayEnv({ [name]: value });
    } catch (e) {
      expect((e as Error).message).toContain(name);
      expect((e as Error).message).not.toContain('\n');
    }
  });
});

describe('loadGatewayEnv: the one-line shape shared with the admin API', () => {
  it('every bad variable, `NAME="value" must be ...`, secrets hidden', () => {
    let msg = '';
    try {
      loadGatewayEnv({ GATEWAY_PORT: 'abc', GATEWAY_ACCESS_LOG: 'yes', OAUTH2_MASTER_KEY: 'hush-hush' });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toBe(
      'invalid environment: OAUTH2_MASTER_KEY (value hidden) must be 32 bytes as 64 hex digits, base64 or base64url; GATEWAY_PORT="abc" must be an integer 0-65535 (0 = any free port); GATEWAY_ACCESS_LOG="yes" must be true or false',
    );
  });

  it('GATEWAY_STATUS_HOST: its own variable, loopback by default', () => {
    expect(loadGatewayEnv({ GATEWAY_HOST: '0.0.0.0' }).GATEWAY_STATUS_HOST).toBe('127.0.0.1');
    expect(loadGatewayEnv({ GATEWAY_STATUS_HOST: '0.0.0.0' }).GATEWAY_STATUS_HOST).toBe('0.0.0.0');
    expect(() => loadGatewayEnv({ GATEWAY_STATUS_HOST: 'a b' })).toThrow('GATEWAY_STATUS_HOST="a b" must be a host name or IP address');
  });

  it('every property of GatewayEnv is a variable the loader reads (none forgotten)', () => {
    const all = Object.keys(new GatewayEnv());
    const env = Object.fromEntries(all.map((k) => [k, 'x y'.repeat(2000)])) as Record<string, string>;
    let msg = '';
    try {
      loadGatewayEnv(env);
    } catch (e) {
      msg = (e as Error).message;
    }
    for (const k of all) expect(msg).toContain(k);
  });
});
