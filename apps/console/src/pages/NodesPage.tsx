import { api } from '../api/client';
import type { NodeListDto } from '../api/types';
import { ago, Empty, ErrorLine, Loading, PageHeader, usePolled, when } from '../ui/ui';

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
      {nodes.loading && !nodes.data ? (
        <Loading />
      ) : nodes.data && nodes.data.items.length === 0 ? (
        <Empty title="No gateway has reported yet.">
          Start one on the same store (<span className="mono">npm run start:gateway</span>, or <span className="mono">npm start</span>); it appears here within one heartbeat.
        </Empty>
      ) : (
        nodes.data && (
          <div className="table-wrap">
            <table data-testid="nodes">
              <thead>
                <tr>
                  <th scope="col">Node</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Revision
                  </th>
                  <th scope="col" className="num">
                    Lag
                  </th>
                  <th scope="col" className="num">
                    Workers
                  </th>
                  <th scope="col">Version</th>
                  <th scope="col">Last seen</th>
                  <th scope="col">Started</th>
                </tr>
              </thead>
              <tbody>
                {nodes.data.items.map((n) => (
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
                ))}
              </tbody>
            </table>
          </div>
        )
      )}
    </>
  );
}
