import { useState } from 'react';
import { api, seg } from '../api/client';
import type { RouteDto, RoutePageDto } from '../api/types';
import { canWrite } from '../session';
import { Empty, ErrorLine, Field, FormDialog, ListTable, Notice, PageHeader, splitList, useNotice, usePaged } from '../ui/ui';
import { deletedLine, DeleteNamedDialog } from './DeleteNamedDialog';

export function RoutesPage() {
  const [editing, setEditing] = useState<RouteDto | 'new' | null>(null);
  const [deleting, setDeleting] = useState<RouteDto | null>(null);
  const notice = useNotice();
  const list = usePaged<RoutePageDto>('/routes');
  const write = canWrite();
  return (
    <>
      <PageHeader title="Routes" action={write && { label: 'New route', onClick: () => setEditing('new') }}>
        Where the gateway sends a request: by host, then the longest path prefix.
      </PageHeader>
      <ErrorLine error={list.error} />
      <Notice text={notice.line} />
      <ListTable
        list={list}
        columns={['Name', 'Hosts', 'Path prefix', 'Upstream']}
        actions={write}
        empty={
          <Empty title="No routes yet.">{write ? 'Add one with “New route”: a name, the hosts and path prefix it serves, and its upstream URL.' : 'An operator with write access adds them.'}</Empty>
        }
      >
        {(items) =>
          items.map((r) => (
            <tr key={r.name}>
              <td className="mono">{r.name}</td>
              <td className="mono">{r.hosts.length ? r.hosts.join(', ') : <span className="muted">any host</span>}</td>
              <td className="mono">
                {r.path_prefix}
                {r.strip_prefix && <span className="tag">stripped</span>}
              </td>
              <td className="mono">{r.upstream}</td>
              {write && (
                <td className="actions-col">
                  <button type="button" className="small" onClick={() => setEditing(r)}>
                    Edit
                  </button>
                  <button type="button" className="small danger" onClick={() => setDeleting(r)}>
                    Delete
                  </button>
                </td>
              )}
            </tr>
          ))
        }
      </ListTable>
      {list.pager}
      {editing && (
        <RouteDialog
          route={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(r) => {
            setEditing(null);
            void notice.after(list.reload, `Saved route ${r.name}.`);
          }}
        />
      )}
      {deleting && (
        <DeleteNamedDialog
          what="route"
          name={deleting.name}
          lead="Requests it served stop matching (they get 404, or another route) as soon as the gateways reload."
          named="These policies name it; it is removed from each:"
          mark={(r) => r.routes?.length === 1 && <strong> — names no route after this, so it is deleted</strong>}
          onClose={() => setDeleting(null)}
          onDeleted={(d) => {
            setDeleting(null);
            void notice.after(list.reload, deletedLine('route ', d));
          }}
        />
      )}
    </>
  );
}

function RouteDialog({ route, onClose, onSaved }: { route: RouteDto | null; onClose: () => void; onSaved: (r: RouteDto) => void }) {
  const [name, setName] = useState(route?.name ?? '');
  const [hosts, setHosts] = useState(route?.hosts.join(', ') ?? '');
  const [prefix, setPrefix] = useState(route?.path_prefix ?? '/');
  const [upstream, setUpstream] = useState(route?.upstream ?? '');
  const [strip, setStrip] = useState(route?.strip_prefix ?? false);
  const save = async () => {
    const fields = { hosts: splitList(hosts), path_prefix: prefix.trim() || '/', upstream: upstream.trim(), strip_prefix: strip };
    onSaved(route ? await api<RouteDto>('PUT', `/routes/${seg(route.name)}`, { json: fields }) : await api<RouteDto>('POST', '/routes', { json: { name: name.trim(), ...fields } }));
  };
  return (
    <FormDialog title={route ? `Edit route ${route.name}` : 'New route'} label={route ? 'Save' : 'Create'} onClose={onClose} submit={save}>
      {!route && (
        <Field label="Name" htmlFor="r-name" hint="Higress style namespace/ingress-name is fine, e.g. default/orders.">
          <input id="r-name" value={name} onChange={(e) => setName(e.target.value)} required autoFocus autoComplete="off" spellCheck={false} />
        </Field>
      )}
      <Field label="Hosts" htmlFor="r-hosts" hint="Exact hosts or *.suffix, comma separated; empty = any host.">
        <input id="r-hosts" value={hosts} onChange={(e) => setHosts(e.target.value)} autoComplete="off" spellCheck={false} autoFocus={!!route} />
      </Field>
      <Field label="Path prefix" htmlFor="r-prefix" hint="Matched per segment: /api matches /api and /api/x, not /apix.">
        <input id="r-prefix" value={prefix} onChange={(e) => setPrefix(e.target.value)} autoComplete="off" spellCheck={false} />
      </Field>
      <Field label="Upstream" htmlFor="r-upstream" hint="http:// or https:// base URL.">
        <input id="r-upstream" value={upstream} onChange={(e) => setUpstream(e.target.value)} required placeholder="http://127.0.0.1:9000" autoComplete="off" spellCheck={false} />
      </Field>
      <div className="check">
        <input id="r-strip" type="checkbox" checked={strip} onChange={(e) => setStrip(e.target.checked)} />
        <label htmlFor="r-strip">Strip the prefix before forwarding</label>
      </div>
    </FormDialog>
  );
}
