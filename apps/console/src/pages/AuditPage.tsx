import { useMemo, useState } from 'react';
import type { AuditPageDto } from '../api/types';
import { Empty, ErrorLine, Form, ListTable, PageHeader, usePaged, when } from '../ui/ui';

/** The summary column: changed field names and counts, never a value (the API keeps secrets out). */
function summaryText(s: Record<string, unknown>): string {
  return Object.entries(s)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join('; ');
}

/** The audit log (GET /v1/audit): one row per write that landed, newest first, with filters the API applies. */
export function AuditPage() {
  const [draft, setDraft] = useState({ actor: '', action: '', target: '' });
  const [filter, setFilter] = useState(draft);
  // Each Filter press is a new filter object: it starts on the first page and asks again, even with the same values.
  const query = useMemo(() => ({ actor: filter.actor || undefined, action: filter.action || undefined, target: filter.target || undefined }), [filter]);
  const list = usePaged<AuditPageDto>('/audit', query);
  const filtered = filter.actor !== '' || filter.action !== '' || filter.target !== '';
  const set = (k: keyof typeof draft) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  return (
    <>
      <PageHeader title="Audit log">
        Every write that landed, newest first: who (admin token and role), what, and the store revision it produced. Values are never logged, only the names of what changed.
      </PageHeader>
      <Form className="toolbar" role="search" onSubmit={() => setFilter({ actor: draft.actor.trim(), action: draft.action.trim(), target: draft.target.trim() })}>
        <label htmlFor="a-actor">Actor</label>
        <input id="a-actor" className="narrow" value={draft.actor} onChange={set('actor')} placeholder="token name" autoComplete="off" spellCheck={false} />
        <label htmlFor="a-action">Action</label>
        <input id="a-action" className="narrow" value={draft.action} onChange={set('action')} placeholder="consumer.* or apply" autoComplete="off" spellCheck={false} />
        <label htmlFor="a-target">Target</label>
        <input id="a-target" className="narrow" value={draft.target} onChange={set('target')} placeholder="name or id" autoComplete="off" spellCheck={false} />
        <button type="submit">Filter</button>
        {filtered && (
          <button
            type="button"
            onClick={() => {
              const none = { actor: '', action: '', target: '' };
              setDraft(none);
              setFilter(none);
            }}
          >
            Clear
          </button>
        )}
      </Form>
      <ErrorLine error={list.error} />
      <ListTable
        list={list}
        columns={['When', 'Actor', 'Action', 'Target', { label: 'Revision', className: 'num' }, 'Changed', 'From']}
        testId="audit"
        empty={
          <Empty title={filtered ? 'No entry matches these filters.' : 'Nothing has been written yet.'}>
            {filtered ? 'Action takes an exact name or a prefix ending in * (consumer.*). “Clear” shows every entry.' : 'Each create, change, delete or apply adds one entry here.'}
          </Empty>
        }
      >
        {(items) =>
          items.map((a) => (
            <tr key={a.id}>
              <td>{when(a.at)}</td>
              <td>
                <span className="mono">{a.actor}</span> <span className="muted">({a.role})</span>
              </td>
              <td className="mono">{a.action}</td>
              <td className="mono">{a.target ?? '—'}</td>
              <td className="num">{a.revision}</td>
              <td className="summary">{summaryText(a.summary)}</td>
              <td className="mono muted" title={a.request_id ? `request ${a.request_id}` : undefined}>
                {a.source_ip ?? '—'}
              </td>
            </tr>
          ))
        }
      </ListTable>
      {list.pager}
    </>
  );
}
