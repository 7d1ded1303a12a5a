import type { NodeDto } from '@oauth2/contracts';
import { renderPairs, renderTable } from './table';

/** `status`: the server asked, what its /healthz said, the store revision, the token in use and the gateway nodes. */
export interface Status {
  server: string;
  health: unknown;
  revision: number;
  /** The admin token in use (`GET /v1/whoami`). */
  acting_as: { name: string; role: string };
  nodes: NodeDto[];
}

export function statusView(s: Status): string {
  const head = renderPairs([
    ['server', s.server],
    ['admin API', healthText(s.health)],
    ['revision', s.revision],
    ['acting as', `${s.acting_as.name} (role ${s.acting_as.role})`],
  ]);
  if (s.nodes.length === 0) return `${head}\n\nno gateway nodes have reported (they write a heartbeat every GATEWAY_HEARTBEAT_S)`;
  return `${head}\n\n${nodesTable(s.nodes)}`;
}

/** One line per gateway node: what it runs, which revision it enforces, how far behind, when last heard from. */
export function nodesTable(nodes: NodeDto[]): string {
  return renderTable(
    ['NODE', 'VERSION', 'REVISION', 'LAG', 'WORKERS', 'STATUS', 'LAST_SEEN'],
    nodes.map((n) => [n.name, n.version, n.revision, n.lag, n.workers, n.status, n.last_seen]),
  );
}

function healthText(h: unknown): string {
  if (h && typeof h === 'object' && 'status' in h) return String((h as { status: unknown }).status);
  return typeof h === 'string' && h.trim() ? h.trim() : 'ok';
}
