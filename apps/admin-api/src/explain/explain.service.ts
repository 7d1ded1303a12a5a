import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { compileSnapshot, consumerGrants, explainRequest, routeWho, type ExplainInput, type ExplainResult, type ExplainVerifier, type GrantsResult, type Snapshot, type WhoResult } from '@oauth2/core';
import type { ConfigStore } from '@oauth2/store';
import { extractBearerToken, verifyAccessToken } from '@oauth2/token';
import { STORE } from '../common/tokens';

/** The gateway's own parser and verifier, so an explanation runs exactly the checks a request would. */
const VERIFIER: ExplainVerifier = {
  extractBearer: extractBearerToken,
  verify: (token, snap, now) =>
    verifyAccessToken(token, snap.consumersByClientId, { issuer: snap.settings.issuer, clockSkewSeconds: snap.settings.clock_skew_seconds, nowSeconds: now, signingKeys: snap.signingKeys, maxLifetimeSeconds: snap.settings.token_ttl }),
};

/**
 * Explains decisions on the current store contents: a snapshot is loaded and compiled per call
 * (the same read the gateway's poller does), so the answer is what the gateway enforces once it
 * has reloaded this revision. Admin traffic is rare; no caching.
 */
@Injectable()
export class ExplainService {
  constructor(@Inject(STORE) private readonly store: ConfigStore) {}

  private async snapshot(): Promise<Snapshot> {
    return compileSnapshot(await this.store.loadSnapshotSource());
  }

  async explain(input: Omit<ExplainInput, 'nowSeconds'>): Promise<ExplainResult> {
    return explainRequest(await this.snapshot(), { ...input, nowSeconds: Math.floor(Date.now() / 1000) }, VERIFIER);
  }

  async grants(consumer: string): Promise<GrantsResult> {
    const g = consumerGrants(await this.snapshot(), consumer);
    if (g === null) throw new NotFoundException(`consumer ${JSON.stringify(consumer)} not found`);
    return g;
  }

  async who(route: string): Promise<WhoResult> {
    const w = routeWho(await this.snapshot(), route);
    if (w === null) throw new NotFoundException(`route ${JSON.stringify(route)} not found`);
    return w;
  }
}
