import { EnvError, loadGatewayEnv } from '../config/gateway-env';

describe('GATEWAY_HEARTBEAT_S and GATEWAY_NODE_NAME', () => {
  it('default to 10 s and unset (the name is then <hostname>:<port>)', () => {
    const env = loadGatewayEnv({});
    expect(env.GATEWAY_HEARTBEAT_S).toBe(10);
    expect(env.GATEWAY_NODE_NAME).toBeUndefined();
  });

  it('take fractions of a second and a printable name', () => {
    expect(loadGatewayEnv({ GATEWAY_HEARTBEAT_S: '0.2', GATEWAY_NODE_NAME: 'eu-1 gw' })).toMatchObject({ GATEWAY_HEARTBEAT_S: 0.2, GATEWAY_NODE_NAME: 'eu-1 gw' });
  });

  it.each([
    ['GATEWAY_HEARTBEAT_S', '0'],
    ['GATEWAY_HEARTBEAT_S', '0.01'],
    ['GATEWAY_HEARTBEAT_S', '3601'],
    ['GATEWAY_HEARTBEAT_S', '1e3'],
    ['GATEWAY_HEARTBEAT_S', 'soon'],
    ['GATEWAY_NODE_NAME', 'a\tb'],
    ['GATEWAY_NODE_NAME', 'x'.repeat(254)],
  ])('%s=%j is refused naming it', (name, value) => {
    expect(() => loadGatewayEnv({ [name]: value })).toThrow(EnvError);
    expect(() => loadGatewayEnv({ [name]: value })).toThrow(name);
  });
});
