import { useEffect, useMemo, useState } from 'react';
import { api, seg } from '../api/client';
import type { AuthMethod, ConsumerDto, ConsumerPageDto, ConsumerWithSecretDto, CreateConsumerDto, RuleDto, UpdateConsumerDto } from '../api/types';
import { canWrite } from '../session';
import { Empty, ErrorLine, Field, FormDialog, ListTable, Notice, PageHeader, splitList, useNotice, usePaged, when } from '../ui/ui';
import { deletedLine, DeleteNamedDialog } from './DeleteNamedDialog';
import { parseGrace } from './grace';
import { SecretDialog } from './SecretDialog';

type Shown = { consumer: ConsumerWithSecretDto; verb: 'created' | 'rotated' };

/** Waits until typing pauses before the filters are sent (one request per pause, not per key). */
function useSettled<T>(value: T, ms = 250): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

export function ConsumersPage() {
  const [search, setSearch] = useState('');
  const [group, setGroup] = useState('');
  const q = useSettled(search.trim());
  const g = useSettled(group.trim());
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<Shown | null>(null);
  const [editing, setEditing] = useState<ConsumerDto | null>(null);
  const [rotating, setRotating] = useState<ConsumerDto | null>(null);
  const [deleting, setDeleting] = useState<ConsumerDto | null>(null);
  const notice = useNotice();
  // Paged and filtered in SQL, so 100,000 consumers page as fast as 100; a new search starts on its first page.
  const filter = useMemo(() => ({ q: q || undefined, group: g || undefined }), [q, g]);
  const list = usePaged<ConsumerPageDto>('/consumers', filter);
  const write = canWrite();
  const filtered = q !== '' || g !== '';

  return (
    <>
      <PageHeader title="Consumers" action={write && { label: 'New consumer', onClick: () => setCreating(true) }}>
        Clients that get tokens with the client_credentials grant. Policies name them, or their groups, in their allow lists.
      </PageHeader>
      <form className="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="consumer-search">Search</label>
        <input id="consumer-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="part of a name or client_id" autoComplete="off" spellCheck={false} />
        <label htmlFor="consumer-group">Group</label>
        <input id="consumer-group" className="narrow" type="search" value={group} onChange={(e) => setGroup(e.target.value)} placeholder="any group" autoComplete="off" spellCheck={false} />
        {filtered && (
          <button
            type="button"
            onClick={() => {
              setSearch('');
              setGroup('');
            }}
          >
            Clear filters
          </button>
        )}
        <span className="toolbar-count muted" aria-live="polite">
          {list.data ? `${list.data.total.toLocaleString()} ${filtered ? 'matching' : list.data.total === 1 ? 'consumer' : 'consumers'}` : ''}
        </span>
      </form>
      <ErrorLine error={list.error} />
      <Notice text={notice.line} />
      <ListTable
        list={list}
        columns={['Name', 'client_id', 'Authenticates with', 'Scopes', 'Groups', 'Created']}
        actions={write}
        busy={list.loading}
        testId="consumers"
        empty={
          filtered ? (
            <Empty title="No consumer matches.">
              {q && `Nothing has “${q}” in its name or client_id`}
              {q && g && ' in '}
              {!q && g && 'Nobody is in '}
              {g && `group “${g}”`}. Group names are exact; “Clear filters” lists every consumer.
            </Empty>
          ) : (
            <Empty title="No consumers yet.">{write ? 'Create one with “New consumer”, or bring a Higress configuration in with Import.' : 'An operator with write access creates them.'}</Empty>
          )
        }
      >
        {(items) =>
          items.map((c) => (
            <tr key={c.name}>
              <td className="mono">{c.name}</td>
              <td className="mono ellipsis" title={c.client_id}>
                {c.client_id}
              </td>
              <td>
                <AuthMethodCell consumer={c} />
              </td>
              <td>
                <Scopes scopes={c.scopes} />
              </td>
              <td>
                {c.groups.length ? (
                  c.groups.map((x) => (
                    <span key={x} className="chip">
                      {x}
                    </span>
                  ))
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td>
                {when(c.created_at)}
                {c.previous_secret_expires_at && <p className="hint">previous secret works until {when(c.previous_secret_expires_at)}</p>}
              </td>
              {write && (
                <td className="actions-col">
                  <button type="button" className="small" onClick={() => setEditing(c)} aria-label={`Edit ${c.name}`}>
                    Edit
                  </button>
                  <button type="button" className="small" onClick={() => setRotating(c)}>
                    Rotate secret
                  </button>
                  <button type="button" className="small danger" onClick={() => setDeleting(c)}>
                    Delete
                  </button>
                </td>
              )}
            </tr>
          ))
        }
      </ListTable>
      {list.pager}
      {creating && (
        <ConsumerDialog
          consumer={null}
          onClose={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            // A consumer that authenticates with its certificate never uses its secret: nothing to show.
            if (c.auth_method === 'client_secret') setShown({ consumer: c, verb: 'created' });
            void notice.after(list.reload, c.auth_method === 'client_secret' ? undefined : `Created ${c.name}: it authenticates with its TLS client certificate, so there is no secret to keep.`);
          }}
          onSaved={() => undefined}
        />
      )}
      {editing && (
        <ConsumerDialog
          consumer={editing}
          onClose={() => setEditing(null)}
          onCreated={() => undefined}
          onSaved={(c) => {
            setEditing(null);
            void notice.after(list.reload, `Saved ${c.name}.`);
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
            void notice.after(list.reload);
          }}
        />
      )}
      {deleting && (
        <DeleteNamedDialog
          what="consumer"
          name={deleting.name}
          lead="Its client_id and secret stop working as soon as the gateways reload."
          named="These policies allow it; it is removed from each:"
          mark={(r) => emptied(r) && <strong> — left allowing nobody</strong>}
          after={(rules) => <EmptiedWarning n={rules.filter(emptied).length} />}
          onClose={() => setDeleting(null)}
          onDeleted={(r) => {
            setDeleting(null);
            void notice.after(list.reload, deletedLine('', r));
          }}
        />
      )}
      {shown && <SecretDialog consumer={shown.consumer} verb={shown.verb} onClose={() => setShown(null)} />}
    </>
  );
}

/** How the consumer authenticates at the token endpoint (RFC 8705 §2 for the certificate methods). */
function AuthMethodCell({ consumer: c }: { consumer: ConsumerDto }) {
  if (c.auth_method === 'tls_client_auth')
    return (
      <span title="A TLS client certificate issued under GATEWAY_TLS_CLIENT_CA, carrying this subject; its tokens are bound to the certificate">
        certificate <span className="mono">{c.tls_subject}</span>
      </span>
    );
  if (c.auth_method === 'self_signed_tls_client_auth')
    return (
      <span title={`A self-signed TLS client certificate with x5t#S256 ${c.tls_thumbprint ?? ''}; its tokens are bound to the certificate`}>
        self-signed certificate <span className="mono ellipsis">{(c.tls_thumbprint ?? '').slice(0, 12)}…</span>
      </span>
    );
  return <span className="muted">client secret</span>;
}

function Scopes({ scopes }: { scopes: string[] | null }) {
  if (scopes === null)
    return (
      <span className="muted" title="Unrestricted: a requested scope is copied into the token but never satisfies a policy's required scopes">
        any (unrestricted)
      </span>
    );
  if (scopes.length === 0) return <span className="muted">none</span>;
  return (
    <>
      {scopes.map((s) => (
        <span key={s} className="chip mono">
          {s}
        </span>
      ))}
    </>
  );
}

/** Create (name, client_id, secret, scopes, groups) or edit (scopes and groups: PATCH). */
function ConsumerDialog({
  consumer,
  onClose,
  onCreated,
  onSaved,
}: {
  consumer: ConsumerDto | null;
  onClose: () => void;
  onCreated: (c: ConsumerWithSecretDto) => void;
  onSaved: (c: ConsumerDto) => void;
}) {
  const [name, setName] = useState('');
  const [clientId, setClientId] = useState('');
  const [secret, setSecret] = useState('');
  const [restricted, setRestricted] = useState(consumer ? consumer.scopes !== null : false);
  const [scopes, setScopes] = useState((consumer?.scopes ?? []).join(' '));
  const [groups, setGroups] = useState((consumer?.groups ?? []).join(', '));
  const [authMethod, setAuthMethod] = useState<AuthMethod>(consumer?.auth_method ?? 'client_secret');
  const [tlsSubject, setTlsSubject] = useState(consumer?.tls_subject ?? '');
  const [tlsThumbprint, setTlsThumbprint] = useState(consumer?.tls_thumbprint ?? '');
  // Only the field the method uses is sent (the API refuses the other one).
  const auth = (): Pick<CreateConsumerDto, 'auth_method' | 'tls_subject' | 'tls_thumbprint'> =>
    authMethod === 'tls_client_auth'
      ? { auth_method: authMethod, tls_subject: tlsSubject.trim() }
      : authMethod === 'self_signed_tls_client_auth'
        ? { auth_method: authMethod, tls_thumbprint: tlsThumbprint.trim() }
        : { auth_method: authMethod };
  const submit = async () => {
    const scopeList = restricted ? splitList(scopes) : null;
    if (consumer) {
      const body: UpdateConsumerDto = { scopes: scopeList, groups: splitList(groups), ...auth() };
      onSaved(await api<ConsumerDto>('PATCH', `/consumers/${seg(consumer.name)}`, { json: body }));
      return;
    }
    const body: CreateConsumerDto = {
      name: name.trim(),
      client_id: clientId.trim() || undefined,
      client_secret: authMethod === 'client_secret' ? secret || undefined : undefined,
      scopes: scopeList,
      groups: splitList(groups),
      ...auth(),
    };
    const c = await api<ConsumerWithSecretDto>('POST', '/consumers', { json: body });
    setSecret('');
    onCreated(c);
  };
  return (
    <FormDialog title={consumer ? `Edit ${consumer.name}` : 'New consumer'} label={consumer ? 'Save' : 'Create'} onClose={onClose} submit={submit}>
      {!consumer && (
        <>
          <Field label="Name" htmlFor="c-name" hint="1–253 characters of A–Z a–z 0–9 . _ ~ : @ / -">
            <input id="c-name" value={name} onChange={(e) => setName(e.target.value)} required autoFocus autoComplete="off" spellCheck={false} />
          </Field>
          <Field label="client_id (optional)" htmlFor="c-id" hint="Left empty, a UUID is generated.">
            <input id="c-id" value={clientId} onChange={(e) => setClientId(e.target.value)} autoComplete="off" spellCheck={false} />
          </Field>
          {authMethod === 'client_secret' && (
            <Field label="client_secret (optional)" htmlFor="c-secret" hint="At least 32 characters. Left empty, 32 random bytes are generated (recommended).">
              <input id="c-secret" type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="new-password" />
            </Field>
          )}
        </>
      )}
      <fieldset className="radios">
        <legend>Authenticates at the token endpoint with</legend>
        <label>
          <input type="radio" name="c-auth" checked={authMethod === 'client_secret'} onChange={() => setAuthMethod('client_secret')} /> its client secret
        </label>
        <label>
          <input type="radio" name="c-auth" checked={authMethod === 'tls_client_auth'} onChange={() => setAuthMethod('tls_client_auth')} /> a certificate from our CA (tls_client_auth)
        </label>
        <label>
          <input type="radio" name="c-auth" checked={authMethod === 'self_signed_tls_client_auth'} onChange={() => setAuthMethod('self_signed_tls_client_auth')} /> its self-signed certificate
          (self_signed_tls_client_auth)
        </label>
      </fieldset>
      {authMethod === 'tls_client_auth' && (
        <Field label="Certificate subject" htmlFor="c-tls-subject" hint="A subject DN (CN=m2m,O=Example) or san:dns:NAME, san:uri:URI, san:email:ADDRESS, san:ip:ADDRESS.">
          <input id="c-tls-subject" value={tlsSubject} onChange={(e) => setTlsSubject(e.target.value)} required autoComplete="off" spellCheck={false} />
        </Field>
      )}
      {authMethod === 'self_signed_tls_client_auth' && (
        <Field label="Certificate thumbprint (x5t#S256)" htmlFor="c-tls-thumbprint" hint="base64url SHA-256 of the DER certificate, 43 characters.">
          <input id="c-tls-thumbprint" value={tlsThumbprint} onChange={(e) => setTlsThumbprint(e.target.value)} required autoComplete="off" spellCheck={false} />
        </Field>
      )}
      {authMethod !== 'client_secret' && (
        <p className="hint field">Its tokens carry cnf.x5t#S256 and are accepted only over a connection with that certificate. Needs GATEWAY_TLS_CLIENT_CA on the gateway.</p>
      )}
      <fieldset className="radios">
        <legend>Scopes it may hold</legend>
        <label>
          <input type="radio" name="c-scope-kind" checked={!restricted} onChange={() => setRestricted(false)} autoFocus={consumer !== null} /> any (unrestricted, as Higress)
        </label>
        <label>
          <input type="radio" name="c-scope-kind" checked={restricted} onChange={() => setRestricted(true)} /> only these
        </label>
      </fieldset>
      {restricted && (
        <Field label="Scopes" htmlFor="c-scopes" hint="Space or comma separated, e.g. orders:read orders:write. Empty: no scope at all.">
          <input id="c-scopes" value={scopes} onChange={(e) => setScopes(e.target.value)} autoComplete="off" spellCheck={false} />
        </Field>
      )}
      {!restricted && <p className="hint field">An unrestricted consumer gets what it asks for in its token, but that never satisfies a policy&apos;s required scopes.</p>}
      <Field label="Groups" htmlFor="c-groups" hint="Comma separated; policies can allow a whole group.">
        <input id="c-groups" value={groups} onChange={(e) => setGroups(e.target.value)} autoComplete="off" spellCheck={false} />
      </Field>
    </FormDialog>
  );
}

function RotateDialog({ consumer, onClose, onRotated }: { consumer: ConsumerDto; onClose: () => void; onRotated: (c: ConsumerWithSecretDto) => void }) {
  const [grace, setGrace] = useState('0');
  const parsed = parseGrace(grace);
  const rotate = async () => {
    if (typeof parsed === 'string') throw new Error(`Refused: grace: ${parsed}`);
    onRotated(await api<ConsumerWithSecretDto>('POST', `/consumers/${seg(consumer.name)}/rotate-secret`, { json: { grace_seconds: parsed } }));
  };
  return (
    <FormDialog title={`Rotate the secret of ${consumer.name}?`} label="Rotate secret" onClose={onClose} submit={rotate}>
      <p>A new secret is generated and shown once.</p>
      <Field label="Grace period" htmlFor="r-grace" hint="How long the current secret (and the tokens signed with it) keeps working: 0, 30s, 15m, 2h, 1d (at most 30d).">
        <input id="r-grace" value={grace} onChange={(e) => setGrace(e.target.value)} autoFocus autoComplete="off" spellCheck={false} />
      </Field>
      <p className="hint" data-testid="grace-meaning">
        {typeof parsed === 'string'
          ? parsed
          : parsed === 0
            ? 'No grace: the current secret stops working, and its tokens are refused, as soon as the gateways reload.'
            : `The current secret keeps working for ${parsed.toLocaleString()} seconds, then it and its tokens are refused.`}
      </p>
    </FormDialog>
  );
}

// What the store does on delete (detachFromRules): a rule left with no consumer and no group allows nobody (its scopes are cleared too).
const emptied = (r: RuleDto) => r.allow.length === 1 && r.allow_groups.length === 0;

function EmptiedWarning({ n }: { n: number }) {
  if (n === 0) return null;
  return (
    <p className="warn" data-testid="delete-empties">
      {n === 1 ? 'One policy is' : `${n} policies are`} left with no consumer and no group: {n === 1 ? 'it' : 'they'} then allow nobody on {n === 1 ? 'its' : 'their'} routes (never everybody).
    </p>
  );
}
