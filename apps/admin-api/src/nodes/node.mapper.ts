import type { NodeDto, NodeListDto } from '@oauth2/contracts';
import type { NodeView, Page } from '@oauth2/store';

/** Field by field, so nothing else a row might hold slips through. */
export function toNode(n: NodeView): NodeDto {
  return {
    name: n.name,
    version: n.version,
    revision: n.revision,
    lag: n.lag,
    status: n.status,
    workers: n.workers,
    heartbeat_s: n.heartbeat_s,
    started_at: n.started_at,
    last_seen: n.last_seen,
    counters: n.counters,
  };
}

export function toNodeList(page: Page<NodeView>): NodeListDto {
  return { items: page.items.map(toNode), total: page.total };
}
