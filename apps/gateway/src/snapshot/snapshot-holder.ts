import type { Snapshot } from '@oauth2/core';
import { VerifiedTokenCache } from '@oauth2/token';

/**
 * Holds the snapshot in force. A request reads `current` once and keeps that object to the end,
 * so a swap mid-request never mixes two revisions. The verified-token cache lives here because it
 * must be cleared in the same step as the swap (a rotated secret invalidates cached tokens).
 */
export class SnapshotHolder {
  private snap: Snapshot | null = null;
  readonly tokenCache = new VerifiedTokenCache();
  private readonly listeners: Array<(s: Snapshot) => void> = [];

  get current(): Snapshot | null {
    return this.snap;
  }

  get revision(): number | null {
    return this.snap ? this.snap.revision : null;
  }

  swap(next: Snapshot): void {
    this.snap = next;
    this.tokenCache.clear();
    for (const l of this.listeners) l(next);
  }

  onSwap(listener: (s: Snapshot) => void): void {
    this.listeners.push(listener);
  }
}
