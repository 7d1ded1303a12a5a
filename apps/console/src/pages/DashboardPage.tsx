import { Link } from '../router';
import { Empty, ErrorLine, Loading, PageHeader, usePolled } from '../ui/ui';
import { ticks, totalsByRoute, type RouteTotals } from './chart';
import { loadNodes } from './NodesPage';

const ROW = 30;
const LABEL_W = 180;
const CHART_W = 860;
const BAR_W = CHART_W - LABEL_W - 70;

const routeLabel = (r: string) => (r === '' ? '(no route)' : r);

/** Requests by outcome per route, summed over what the nodes' heartbeats report (their counters since start). */
export function DashboardPage() {
  const nodes = usePolled(loadNodes);
  const data = nodes.data ? totalsByRoute(nodes.data.items) : null;
  const live = nodes.data?.items.filter((n) => n.status === 'live').length ?? 0;
  return (
    <>
      <PageHeader title="Dashboard">Requests by outcome per route, summed over the gateway nodes&apos; heartbeats (each node&apos;s counters since it started). Refreshed every 5 seconds.</PageHeader>
      <ErrorLine error={nodes.error} />
      {nodes.loading && !nodes.data ? (
        <Loading rows={4} />
      ) : nodes.data && nodes.data.items.length === 0 ? (
        <Empty title="No gateway has reported yet.">
          Start a gateway on this store; its heartbeat brings its request counters here. <Link to="/nodes">Nodes</Link> lists who reports.
        </Empty>
      ) : (
        data && (
          <>
            <p className="muted" data-testid="dashboard-nodes">
              From {nodes.data!.items.length} node{nodes.data!.items.length === 1 ? '' : 's'} ({live} live): {nodes.data!.items.map((n) => n.name).join(', ')}.
            </p>
            {data.routes.length === 0 ? (
              <Empty title="No requests counted yet.">Send traffic through a gateway; its next heartbeat shows it here.</Empty>
            ) : (
              <section className="panel">
                <h2 id="chart-title">Requests by outcome per route</h2>
                <Legend outcomes={data.outcomes} />
                <Chart routes={data.routes} outcomes={data.outcomes} />
                <Table routes={data.routes} outcomes={data.outcomes} />
              </section>
            )}
          </>
        )
      )}
    </>
  );
}

function Legend({ outcomes }: { outcomes: string[] }) {
  return (
    <ul className="legend" aria-label="Outcomes">
      {outcomes.map((o) => (
        <li key={o}>
          <svg width="12" height="12" aria-hidden="true">
            <rect width="12" height="12" rx="2" className={`o-${o}`} />
          </svg>{' '}
          {o}
        </li>
      ))}
    </ul>
  );
}

/** Horizontal stacked bars, one per route; the numbers are also in the table below (the chart is not the only way to read them). */
function Chart({ routes, outcomes }: { routes: RouteTotals[]; outcomes: string[] }) {
  const axis = ticks(Math.max(...routes.map((r) => r.total)));
  const max = axis[axis.length - 1];
  const scale = (v: number) => (v / max) * BAR_W;
  const h = routes.length * ROW + 24;
  return (
    <svg className="chart" viewBox={`0 0 ${CHART_W} ${h}`} role="img" aria-labelledby="chart-title" data-testid="chart" preserveAspectRatio="xMinYMin meet">
      {axis.map((t) => (
        <g key={t}>
          <line x1={LABEL_W + scale(t)} x2={LABEL_W + scale(t)} y1={0} y2={routes.length * ROW} className="grid" />
          <text x={LABEL_W + scale(t)} y={routes.length * ROW + 16} className="axis" textAnchor="middle">
            {t.toLocaleString()}
          </text>
        </g>
      ))}
      {routes.map((r, i) => {
        let x = LABEL_W;
        return (
          <g key={r.route} data-route={r.route} data-total={r.total}>
            <text x={LABEL_W - 8} y={i * ROW + ROW / 2 + 4} className="label" textAnchor="end">
              {routeLabel(r.route).length > 24 ? routeLabel(r.route).slice(0, 23) + '…' : routeLabel(r.route)}
              <title>{routeLabel(r.route)}</title>
            </text>
            {outcomes.map((o) => {
              const v = r.byOutcome[o] ?? 0;
              if (!v) return null;
              const w = Math.max(scale(v), 1);
              const rect = (
                <rect key={o} x={x} y={i * ROW + 5} width={w} height={ROW - 10} className={`o-${o}`} data-outcome={o} data-count={v}>
                  <title>{`${routeLabel(r.route)}: ${v.toLocaleString()} ${o}`}</title>
                </rect>
              );
              x += w;
              return rect;
            })}
            <text x={x + 6} y={i * ROW + ROW / 2 + 4} className="value">
              {r.total.toLocaleString()}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function Table({ routes, outcomes }: { routes: RouteTotals[]; outcomes: string[] }) {
  return (
    <div className="table-wrap chart-table">
      <table data-testid="chart-table">
        <thead>
          <tr>
            <th scope="col">Route</th>
            {outcomes.map((o) => (
              <th key={o} scope="col" className="num">
                {o}
              </th>
            ))}
            <th scope="col" className="num">
              total
            </th>
          </tr>
        </thead>
        <tbody>
          {routes.map((r) => (
            <tr key={r.route}>
              <th scope="row" className="mono">
                {routeLabel(r.route)}
              </th>
              {outcomes.map((o) => (
                <td key={o} className="num">
                  {(r.byOutcome[o] ?? 0).toLocaleString()}
                </td>
              ))}
              <td className="num">{r.total.toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
