import type { GatewayMetrics } from './metrics';
import type { SnapshotHolder } from '../snapshot/snapshot-holder';
import type { StatusSource } from './status-source';

/** Single-process status: straight from this process's snapshot holder and registry. */
export class LocalStatusSource implements StatusSource {
  constructor(
    private readonly holder: SnapshotHolder,
    private readonly metricsReg: GatewayMetrics,
  ) {}

  ready(): boolean {
    return this.holder.current !== null;
  }

  revision(): number | null {
    return this.holder.revision;
  }

  async metrics(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.metricsReg.registry.contentType, text: await this.metricsReg.registry.metrics() };
  }
}
