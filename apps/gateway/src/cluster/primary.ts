import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import type { GatewayEnv } from '../config/gateway-env';
import { SHUTDOWN_GRACE_MS } from '../data-plane';
import { Registry } from 'prom-client';
import { Heartbeat } from '../heartbeat/heartbeat';
import { createLogger } from '../logger';
import { die } from '../single';
import { StatusController } from '../status/status.controller';
import { STATUS_SOURCE } from '../status/status-source';
import { oneLine } from '@oauth2/core';
import { httpUrl, listenerUrl } from '../urls';
import { ClusterSupervisor } from './supervisor';

/** Composition root of the cluster primary: the status port over the supervisor. */
@Module({})
class PrimaryModule {
  static register(supervisor: ClusterSupervisor): DynamicModule {
    return { module: PrimaryModule, providers: [{ provide: STATUS_SOURCE, useValue: supervisor }], controllers: [StatusController] };
  }
}

/** GATEWAY_WORKERS>1 (or 0): the primary forks workers that share the traffic port, and serves status. */
export async function runPrimary(env: GatewayEnv, workers: number): Promise<void> {
  const log = createLogger({ role: 'primary' });
  const own = new Registry();
  const supervisor = new ClusterSupervisor(workers, log, own);
  const app = await NestFactory.create(PrimaryModule.register(supervisor), { logger: false, abortOnError: false });
  app.getHttpAdapter().getInstance().disable('x-powered-by'); // the status port need not name its framework
  await app.listen(env.GATEWAY_STATUS_PORT, env.GATEWAY_STATUS_HOST).catch((e) => die(`cannot listen on status port ${env.GATEWAY_STATUS_PORT}: ${oneLine(e)}`));
  const statusPort = (app.getHttpServer().address() as AddressInfo).port;

  let heartbeat: Heartbeat | null = null;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, `shutting down on ${signal}: workers finish in-flight requests`);
    await Promise.all([supervisor.stop(SHUTDOWN_GRACE_MS + 2_000), heartbeat?.stop()]);
    await app.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  let port: number;
  try {
    port = await supervisor.start();
  } catch (e) {
    await supervisor.stop(2_000);
    die(oneLine(e));
  }
  const authz = supervisor.authzPort !== null ? { authz_url: httpUrl(env.GATEWAY_AUTHZ_HOST, supervisor.authzPort) } : {};
  log.info({ url: listenerUrl(env.GATEWAY_HOST, port, env.GATEWAY_TLS_CERT !== undefined), status_url: httpUrl(env.GATEWAY_STATUS_HOST, statusPort), workers, ...authz }, 'listening');
  // The primary speaks for the node: the workers' lowest revision, their summed counters.
  heartbeat = new Heartbeat({ env, log, status: supervisor, workers: () => supervisor.workers(), port, registry: own });
  if (!stopping) heartbeat.start();
}
