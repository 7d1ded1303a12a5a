import type * as Pg from 'pg';
import { REVISION_CHANNEL } from './context';
import type { RevisionWatchStatus } from './store-api';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;

/**
 * LISTENs for committed writes (context.change() NOTIFYs on commit) on a dedicated connection of its
 * own: a pooled one would be handed to other work and lose the subscription. When the connection
 * drops (server restart, pg_terminate_backend, network), it reconnects with exponential back-off and,
 * once listening again, calls `onChange` once, since notifications sent meanwhile are lost.
 * Returns the function that stops it.
 */
export function listenRevisions(url: string, onChange: () => void, onStatus?: (s: RevisionWatchStatus) => void): () => void {
  const { Client } = require('pg') as typeof Pg;
  let stopped = false;
  let client: Pg.Client | null = null;
  let timer: NodeJS.Timeout | null = null;
  let retryMs = FIRST_RETRY_MS;

  const connect = async (): Promise<void> => {
    timer = null;
    if (stopped) return;
    const c = new Client({ connectionString: url, application_name: 'oauth2-gateway-listen', connectionTimeoutMillis: 10_000, keepAlive: true });
    client = c;
    let down = false;
    const lost = (err?: unknown): void => {
      if (down) return;
      down = true;
      if (client === c) client = null;
      c.end().catch(() => undefined);
      if (stopped) return;
      onStatus?.({ listening: false, error: err instanceof Error ? err.message.split('\n')[0] : 'connection closed', retry_ms: retryMs });
      timer = setTimeout(() => void connect(), retryMs);
      timer.unref();
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    };
    c.on('error', lost);
    c.on('end', () => lost());
    c.on('notification', (n) => {
      if (n.channel === REVISION_CHANNEL) onChange();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${REVISION_CHANNEL}`);
    } catch (err) {
      lost(err);
      return;
    }
    if (stopped || down) return;
    retryMs = FIRST_RETRY_MS;
    onStatus?.({ listening: true });
    onChange();
  };

  void connect();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = null;
    const c = client;
    client = null;
    c?.end().catch(() => undefined);
  };
}
