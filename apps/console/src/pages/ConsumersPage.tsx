import { useState } from 'react';
import { api, ApiError, seg } from '../api/client';
import type { ConsumerDto, ConsumerPageDto, ConsumerWithSecretDto, DeleteResultDto, RuleDto } from '../api/types';
import { canWrite } from '../session';
import { Dialog, Empty, ErrorLine, Field, Loading, Notice, PageHeader, Pager, useAction, useLoad, when } from '../ui/ui';
import { ruleSummary, rulesUsing } from './rules-using';
import { SecretDialog } from './SecretDialog';

const LIMIT = 50;

type Shown = { consumer: ConsumerWithSecretDto; verb: 'created' | 'rotated' };

export function ConsumersPage() {
  const [offset, setOffset] = useState(0);
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<{ name: string; item: ConsumerDto | null } | null>(null);
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<Shown | null>(null);
  const [rotating, setRotating] = useState<ConsumerDto | null>(null);
  const [deleting, setDeleting] = useState<ConsumerDto | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useLoad(() => api<ConsumerPageDto>('GET', '/consumers', { query: { limit: LIMIT, offset } }), [offset]);
  const find = useAction();
  const write = canWrite();

  const lookup = () =>
    find.run(async () => {
      const name = search.trim();
      if (!name) return setFound(null);
      try {
        setFound({ name, item: await api<ConsumerDto>('GET', `/consumers/${seg(name)}`) });
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) setFound({ name, item: null });
        else throw e;
      }
    });
  const refresh = () => {
    list.reload();
    if (found?.item) setFound(null);
  };

  const rows = found ? (found.item ? [found.item] : []) : (list.data?.items ?? []);
  return (
    <>
      <PageHeader
        title="Consumers"
        actions={
          write && (
            <button type="button" className="primary" onClick={() => setCreating(true)}>
              New consumer
            </button>
          )
        }
      >
        Clients that get tokens with the client_credentials grant. Policies name them in their allow lists.
      </PageHeader>
      <form
        className="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void lookup();
        }}
      >
        <label htmlFor="consumer-search">Find by name</label>
        <input id="consumer-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="consumer name" autoComplete="off" spellCheck={false} />
        <button type="submit" disabled={find.busy}>
          Find
        </button>
        {found && (
          <button
            type="button"
            onClick={() => {
              setFound(null);
              setSearch('');
            }}
          >
            Show all
          </button>
        )}
      </form>
      <ErrorLine error={find.error ?? list.error} />
      <Notice text={notice} />
      {list.loading && !list.data && !found ? (
        <Loading />
      ) : rows.length === 0 ? (
        found ? (
          <Empty title={`No consumer is named “${found.name}”.`}>Names are exact and case-sensitive. “Show all” lists every consumer.</Empty>
        ) : list.data ? (
          <Empty title="No consumers yet.">{write ? 'Create one with “New consumer”, or bring a Higress configuration in with Import.' : 'An operator with write access creates them.'}</Empty>
        ) : null
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">client_id</th>
                <th scope="col">Created</th>
                {write && (
                  <th scope="col" className="actions-col">
                    Actions
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.name}>
                  <td className="mono">{c.name}</td>
                  <td className="mono">{c.client_id}</td>
                  <td>{when(c.created_at)}</td>
                  {write && (
                    <td className="actions-col">
                      <button type="button" className="small" onClick={() => setRotating(c)}>
                        Rotate secret
                      </button>
                      <button type="button" className="small danger" onClick={() => setDeleting(c)}>
                        Delete
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!found && list.data && <Pager offset={offset} limit={LIMIT} total={list.data.total} onChange={setOffset} />}
      {creating && (
        <CreateConsumerDialog
          onClose={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            setShown({ consumer: c, verb: 'created' });
            refresh();
          }}
        />
      )}
      {rotating && (
        <RotateDialog
          consumer={rotating}
          onClose={() => setRotating(null)}
          onRotated={(c) => {
            setRotating(null);
            setShown({ consumer: c, verb: 'rotated' });
          }}
        />
      )}
      {deleting && (
        <DeleteConsumerDialog
          consumer={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={(r) => {
            setDeleting(null);
            setNotice(null);
            const changed = [...r.rules_updated.map((id) => `#${id} updated`), ...r.rules_deleted.map((id) => `#${id} deleted`), ...(r.rules_emptied ?? []).map((id) => `#${id} now allows nobody`)];
            setNotice(changed.length ? `Deleted ${r.deleted}; rules ${changed.join(', ')}.` : null);
            refresh();
          }}
        />
      )}
      {shown && <SecretDialog consumer={shown.consumer} verb={shown.verb} onClose={() => setShown(null)} />}
    </>
  );
}

function CreateConsumerDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (c: ConsumerWithSecretDto) => void }) {
  const [name, setName] = useState('');
  const [clientId, setClientId] = useState('');
  const [secret, setSecret] = useState('');
  const act = useAction();
  const submit = () =>
    act.run(async () => {
      const body = { name: name.trim(), client_id: clientId.trim() || undefined, client_secret: secret || undefined };
      const c = await api<ConsumerWithSecretDto>('POST', '/consumers', { json: body });
      setSecret('');
      onCreated(c);
    });
  return (
    <Dialog
      title="New consumer"
      onClose={onClose}
      onSubmit={submit}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={act.busy}>
            Create
          </button>
        </>
      }
    >
      <Field label="Name" htmlFor="c-name" hint="1–253 characters of A–Z a–z 0–9 . _ ~ : @ / -">
        <input id="c-name" value={name} onChange={(e) => setName(e.target.value)} required autoFocus autoComplete="off" spellCheck={false} />
      </Field>
      <Field label="client_id (optional)" htmlFor="c-id" hint="Left empty, a UUID is generated.">
        <input id="c-id" value={clientId} onChange={(e) => setClientId(e.target.value)} autoComplete="off" spellCheck={false} />
      </Field>
      <Field label="client_secret (optional)" htmlFor="c-secret" hint="At least 32 characters. Left empty, 32 random bytes are generated (recommended).">
        <input id="c-secret" type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="new-password" />
      </Field>
      <ErrorLine error={act.error} />
    </Dialog>
  );
}

function RotateDialog({ consumer, onClose, onRotated }: { consumer: ConsumerDto; onClose: () => void; onRotated: (c: ConsumerWithSecretDto) => void }) {
  const act = useAction();
  const rotate = () => act.run(async () => onRotated(await api<ConsumerWithSecretDto>('POST', `/consumers/${seg(consumer.name)}/rotate-secret`, { json: {} })));
  return (
    <Dialog
      title={`Rotate the secret of ${consumer.name}?`}
      onClose={onClose}
      onSubmit={rotate}
      footer={
        <>
          <button type="button" onClick={onClose} autoFocus>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={act.busy}>
            Rotate secret
          </button>
        </>
      }
    >
      <p>A new secret is generated and shown once. The current secret stops working, and the tokens signed with it are refused, as soon as the gateways reload.</p>
      <ErrorLine error={act.error} />
    </Dialog>
  );
}

function DeleteConsumerDialog({ consumer, onClose, onDeleted }: { consumer: ConsumerDto; onClose: () => void; onDeleted: (r: DeleteResultDto) => void }) {
  const rules = useLoad<RuleDto[]>(() => rulesUsing('allow', consumer.name), [consumer.name]);
  const act = useAction();
  const remove = () =>
    act.run(async () => {
      const force = (rules.data?.length ?? 0) > 0;
      onDeleted(await api<DeleteResultDto>('DELETE', `/consumers/${seg(consumer.name)}`, { query: force ? { force: true } : undefined }));
    });
  return (
    <Dialog
      title={`Delete consumer ${consumer.name}?`}
      onClose={onClose}
      onSubmit={remove}
      footer={
        <>
          <button type="button" onClick={onClose} autoFocus>
            Cancel
          </button>
          <button type="submit" className="danger" disabled={act.busy || rules.loading || rules.error !== null}>
            {rules.data?.length ? `Delete and change ${rules.data.length} rule${rules.data.length > 1 ? 's' : ''}` : 'Delete'}
          </button>
        </>
      }
    >
      <p>Its client_id and secret stop working as soon as the gateways reload.</p>
      {rules.loading ? (
        <Loading rows={1} />
      ) : rules.data?.length ? (
        <div data-testid="delete-rules">
          <p>These policies allow it; it is removed from each:</p>
          <ul>
            {rules.data.map((r) => (
              <li key={r.id}>
                {ruleSummary(r)}
                {r.allow.length === 1 && <strong> — left with no consumer</strong>}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        !rules.error && <p>No policy names it.</p>
      )}
      <ErrorLine error={act.error ?? rules.error} />
    </Dialog>
  );
}
