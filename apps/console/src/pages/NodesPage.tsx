import { api } from '../api/client';
import type { NodeListDto } from '../api/types';
import { ago, type Column, Empty, ErrorLine, ListTable, PageHeader, usePolled, when } from '../ui/ui';

const COLUMNS: Column[] = ['Node', 'Status', { label: 'Revision', className: 'num' }, { label: 'Lag', className: 'num' }, { label: 'Workers', className: 'num' }, 'Version', 'Last seen', 'Started'];

export const loadNodes = () => api<NodeListDto>('GET', '/nodes');

/** Gateway nodes from their heartbeats in the store: which revision each enforces, how far behind it is, live or stale. */
export function NodesPage() {
  const nodes = usePolled(loadNodes);
  return (
    <>
      <PageHeader title="Nodes">
        Every gateway process records a heartbeat in the store (GATEWAY_HEARTBEAT_S, 10 s by default). <strong>Lag</strong> is the store revision minus the revision the node enforces; a node is{' '}
        <strong>stale</strong> after three missed heartbeats. Refreshed every 5 seconds.
      </PageHeader>
      <ErrorLine error={nodes.error} />
      <ListTable
        list={nodes}
        columns={COLUMNS}
        testId="nodes"
        empty={
          <Empty title="No gateway has reported yet.">
            Start one on the same store (<span className="mono">npm run start:gateway</span>, or <span className="mono">npm start</span>); it appears here within one heartbeat.
          </Empty>
        }
      >
        {(items) =>
          items.map((n) => (
            <tr key={n.name}>
              <td className="mono">{n.name}</td>
              <td>
                <span className={`tag status-${n.status}`}>{n.status}</span>
              </td>
              <td className="num">{n.revision ?? '—'}</td>
              <td className={n.lag ? 'num lagging' : 'num'}>{n.lag ?? '—'}</td>
              <td className="num">{n.workers}</td>
              <td className="mono">{n.version}</td>
              <td title={when(n.last_seen)}>{ago(n.last_seen)}</td>
              <td>{when(n.started_at)}</td>
            </tr>
          ))
        }
      </ListTable>
    </>
  );
}
