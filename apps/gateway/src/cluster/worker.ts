import cluster from 'node:cluster';
import { NestFactory } from '@nestjs/core';
import { AggregatorRegistry } from 'prom-client';
import type { GatewayEnv } from '../config/gateway-env';
import { DataPlane, TlsStartError } from '../data-plane';
import { GatewayModule } from '../gateway.module';
import { createLogger } from '../logger';
import { SnapshotHolder } from '../snapshot/snapshot-holder';
import { SnapshotPoller, StoreStartError } from '../snapshot/snapshot-poller';
import { GatewayMetrics } from '../status/metrics';
import { oneLine } from '@oauth2/core';
import type { WorkerMessage } from './messages';

function send(m: WorkerMessage): void {
  if (process.connected) process.send!(m);
}

/**
 * A cluster worker: its own store connection, poller and snapshot; reports each swap to the primary,
 * which serves the status port. The primary asks for metrics over the same IPC channel (prom-client).
 */
export async function runWorker(env: GatewayEnv): Promise<void> {
  const log = createLogger({ worker: cluster.worker?.id });
  const ctx = await NestFactory.createApplicationContext(GatewayModule.register(env, log, { statusPort: false }), { logger: false, abortOnError: false });
  new AggregatorRegistry(); // installs the worker's metrics-request listener
  AggregatorRegistry.setRegistries([ctx.get(GatewayMetrics).registry]);
  const holder = ctx.get(SnapshotHolder);
  holder.onSwap((s) => send({ t: 'gw:revision', revision: s.revision }));
  const plane = ctx.get(DataPlane);
  let port: number;
  try {
    port = (await plane.start()).port;
  } catch (e) {
    const message = e instanceof StoreStartError || e instanceof TlsStartError ? e.message : `cannot listen on ${env.GATEWAY_HOST}:${env.GATEWAY_PORT}: ${oneLine(e)}`;
    send({ t: 'gw:fatal', message });
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 100);
    return;
  }
  send({ t: 'gw:listening', port, revision: holder.revision ?? 0, ...(plane.authzAddress ? { authzPort: plane.authzAddress.port } : {}) });

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await plane.stop();
    await ctx.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  // Ctrl-C reaches the whole process group; the primary coordinates, the worker just drains.
  process.on('SIGINT', () => void shutdown());
  const poller = ctx.get(SnapshotPoller);
  process.on('message', (m: unknown) => {
    const t = typeof m === 'object' && m !== null ? (m as { t?: string }).t : undefined;
    if (t === 'gw:shutdown') void shutdown();
    else if (t === 'gw:reload' && (holder.revision ?? 0) < (m as { revision: number }).revision) poller.poke('relay');
  });
  // Losing the primary means nobody serves the status port or restarts us: drain and leave.
  process.on('disconnect', () => void shutdown());
}
