// Owner: gateway. A gateway stack with its consumers, echo routes and settings already written and
// enforced, for e2e tests that need that much before their first request.
import { startGatewayStack, type GatewayStack } from './gateway-process';

export interface StackSeed {
  gatewayEnv?: Record<string, string>;
  /** Created first, in order. */
  consumers?: { name: string; client_id: string; client_secret: string; scopes?: string[] | null; groups?: string[] }[];
  /** Routes to the echo upstream, created next: a name (a catch-all route) or the route without its upstream. */
  echoRoutes?: (string | { name: string; path_prefix?: string; hosts?: string[] })[];
  /** PATCHed last. */
  settings?: Record<string, unknown>;
}

/** startGatewayStack, then the seed through the admin API, then waits until the gateway enforces it; stops the stack if seeding fails. */
export async function startSeededStack(seed: StackSeed = {}): Promise<GatewayStack> {
  const s = await startGatewayStack({ gatewayEnv: seed.gatewayEnv });
  try {
    for (const c of seed.consumers ?? []) await s.call('POST', '/v1/consumers', c);
    for (const r of seed.echoRoutes ?? []) await s.call('POST', '/v1/routes', { ...(typeof r === 'string' ? { name: r } : r), upstream: s.echo.url });
    if (seed.settings) await s.call('PATCH', '/v1/settings', seed.settings);
    await s.sync();
    return s;
  } catch (e) {
    await s.stop();
    throw e;
  }
}

/**
 * For one describe block: startSeededStack in beforeAll (60 s), stop in afterAll (30 s). The handle
 * answers for the stack of the block's tests (use it inside tests and later hooks only).
 */
export function seededStackPerBlock(seed: StackSeed = {}): GatewayStack {
  let stack: GatewayStack | undefined;
  beforeAll(async () => {
    stack = await startSeededStack(seed);
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  }, 30_000);
  const live = (): GatewayStack => {
    if (!stack) throw new Error('seededStackPerBlock: the stack is not started (use it inside tests or later hooks)');
    return stack;
  };
  return {
    get admin() {
      return live().admin;
    },
    get gateway() {
      return live().gateway;
    },
    get echo() {
      return live().echo;
    },
    call: (...a) => live().call(...a),
    sync: () => live().sync(),
    request: (...a) => live().request(...a),
    token: (...a) => live().token(...a),
    stop: () => live().stop(),
  };
}

/** A write is enforced by every gateway worker within 1 s: waits on the gateway's /revision for the admin API's current one, never a fixed sleep. */
export async function enforced(s: GatewayStack, withinMs = 1000): Promise<void> {
  const rev = (await s.call('GET', '/v1/revision')).revision;
  await s.gateway.waitForRevision(rev, withinMs);
}
