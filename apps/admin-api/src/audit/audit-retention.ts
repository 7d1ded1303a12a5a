import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigStore } from '@oauth2/store';
import { logger } from '../common/logger';
import { ENV, STORE } from '../common/tokens';
import type { EnvConfig } from '../config/env.config';

const PRUNE_EVERY_MS = 3600_000;

/** Deletes audit rows older than OAUTH2_AUDIT_RETENTION_DAYS: at start, then hourly. */
@Injectable()
export class AuditRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(STORE) private readonly store: ConfigStore,
    @Inject(ENV) private readonly env: EnvConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.prune();
    this.timer = setInterval(() => void this.prune(), PRUNE_EVERY_MS).unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async prune(): Promise<void> {
    const days = this.env.OAUTH2_AUDIT_RETENTION_DAYS;
    const before = new Date(Date.now() - days * 86400_000).toISOString();
    try {
      const n = await this.store.pruneAudit(before);
      if (n > 0) logger.info({ pruned: n, before, retention_days: days }, 'audit rows pruned');
    } catch (err) {
      logger.warn({ err: String(err) }, 'audit prune failed; retried within the hour');
    }
  }
}
