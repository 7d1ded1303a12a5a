import { EnvError, loadGatewayEnv } from './gateway-env';

describe('loadGatewayEnv', () => {
  it('applies the SPEC §7 defaults; empty means unset', () => {
    const env = loadGatewayEnv({ GATEWAY_PORT: '' });
    expect(env).toMatchObject({ GATEWAY_HOST: '0.0.0.0', GATEWAY_PORT: 8000, GATEWAY_STATUS_PORT: 8100, GATEWAY_WORKERS: 1, GATEWAY_RELOAD_MS: 200, GATEWAY_UPSTREAM_TIMEOUT_MS: 30000, GATEWAY_ACCESS_LOG: false, OAUTH2_DATA_DIR: './data' });
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
