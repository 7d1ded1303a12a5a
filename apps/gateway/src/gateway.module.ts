import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { GatewayEnv } from './config/gateway-env';
import { DataPlane } from './data-plane';
import type { Logger } from './logger';
import { SnapshotHolder } from './snapshot/snapshot-holder';
import { SnapshotPoller } from './snapshot/snapshot-poller';
import { LocalStatusSource } from './status/local-status';
import { GatewayMetrics } from './status/metrics';
import { StatusController } from './status/status.controller';
import { STATUS_SOURCE } from './status/status-source';

export const LOGGER = Symbol('LOGGER');

/**
 * Composition root of a serving process: config, snapshot holder and poller, metrics, the data plane
 * and, when this process also owns the status port (single-process mode), the status controller.
 * The hot path itself is plain node:http, built by DataPlane; Nest only wires it.
 */
@Module({})
export class GatewayModule {
  static register(env: GatewayEnv, log: Logger, opts: { statusPort: boolean }): DynamicModule {
    const providers: Provider[] = [
      { provide: GatewayEnv, useValue: env },
      { provide: LOGGER, useValue: log },
      { provide: SnapshotHolder, useFactory: () => new SnapshotHolder() },
      { provide: GatewayMetrics, useFactory: () => new GatewayMetrics() },
      {
        provide: SnapshotPoller,
        useFactory: (e: GatewayEnv, h: SnapshotHolder, m: GatewayMetrics, l: Logger) => new SnapshotPoller(e, h, m, l),
        inject: [GatewayEnv, SnapshotHolder, GatewayMetrics, LOGGER],
      },
      {
        provide: DataPlane,
        useFactory: (e: GatewayEnv, l: Logger, h: SnapshotHolder, m: GatewayMetrics, p: SnapshotPoller) => new DataPlane(e, l, h, m, p),
        inject: [GatewayEnv, LOGGER, SnapshotHolder, GatewayMetrics, SnapshotPoller],
      },
      { provide: STATUS_SOURCE, useFactory: (h: SnapshotHolder, m: GatewayMetrics) => new LocalStatusSource(h, m), inject: [SnapshotHolder, GatewayMetrics] },
    ];
    return { module: GatewayModule, providers, controllers: opts.statusPort ? [StatusController] : [] };
  }
}
