import { renderPairs } from './table';

/** `status`: the server asked, what its /healthz said, and the store revision. */
export interface Status {
  server: string;
  health: unknown;
  revision: number;
  /** The admin token in use (`GET /v1/whoami`). */
  acting_as: { name: string; role: string };
}

export function statusView(s: Status): string {
  return renderPairs([
    ['server', s.server],
    ['admin API', healthText(s.health)],
    ['revision', s.revision],
    ['acting as', `${s.acting_as.name} (role ${s.acting_as.role})`],
  ]);
}

function healthText(h: unknown): string {
  if (h && typeof h === 'object' && 'status' in h) return String((h as { status: unknown }).status);
  return typeof h === 'string' && h.trim() ? h.trim() : 'ok';
}
