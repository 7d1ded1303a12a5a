import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import type { GatewayEnv } from './config/gateway-env';
import { DataPlane, TlsStartError } from './data-plane';
import { GatewayModule } from './gateway.module';
import { Heartbeat } from './heartbeat/heartbeat';
import { createLogger } from './logger';
import { StoreStartError } from './snapshot/snapshot-poller';
import { GatewayMetrics } from './status/metrics';
import { STATUS_SOURCE, type StatusSource } from './status/status-source';
import { oneLine } from '@oauth2/core';
import { httpUrl, listenerUrl } from './urls';

/** Fatal start-up problem: one line on stderr, exit 1. */
export function die(message: string): never {
  process.stderr.write(`gateway: ${message}\n`);
  process.exit(1);
}

/** GATEWAY_WORKERS=1: one process serves traffic and the status port. */
export async function runSingle(env: GatewayEnv): Promise<void> {
  const log = createLogger();
  const app = await NestFactory.create(GatewayModule.register(env, log, { statusPort: true }), { logger: false, abortOnError: false });
  app.getHttpAdapter().getInstance().disable('x-powered-by'); // the status port need not name its framework
  // Status first, so /readyz can say 503 while the first snapshot loads.
  await app.listen(env.GATEWAY_STATUS_PORT, env.GATEWAY_STATUS_HOST).catch((e) => die(`cannot listen on status port ${env.GATEWAY_STATUS_PORT}: ${oneLine(e)}`));
  const statusPort = (app.getHttpServer().address() as AddressInfo).port;
  const plane = app.get(DataPlane);
  const addr = await plane
    .start()
    .catch((e) => die(e instanceof StoreStartError || e instanceof TlsStartError ? e.message : `cannot listen on ${env.GATEWAY_HOST}:${env.GATEWAY_PORT}: ${oneLine(e)}`));
  const authz = plane.authzAddress ? { authz_url: httpUrl(env.GATEWAY_AUTHZ_HOST, plane.authzAddress.port) } : {};
  log.info({ url: listenerUrl(env.GATEWAY_HOST, addr.port, env.GATEWAY_TLS_CERT !== undefined), status_url: httpUrl(env.GATEWAY_STATUS_HOST, statusPort), ...authz }, 'listening');
  const heartbeat = new Heartbeat({ env, log, status: app.get<StatusSource>(STATUS_SOURCE), workers: () => 1, port: addr.port, registry: app.get(GatewayMetrics).registry });
  heartbeat.start();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, `shutting down on ${signal}: finishing in-flight requests`);
    await Promise.all([plane.stop(), heartbeat.stop()]);
    await app.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
