import { useState } from 'react';
import { api, seg } from '../api/client';
import type { AdminRoleName, AdminTokenDto, AdminTokenPageDto, AdminTokenWithSecretDto, CreateAdminTokenDto } from '../api/types';
import { isAdmin, whoami } from '../session';
import { ConfirmDialog, CopyButton, ErrorLine, Field, FormDialog, ListTable, Notice, PageHeader, ShownOnceDialog, useLoad, useNotice, when } from '../ui/ui';

const ROLES: { role: AdminRoleName; what: string }[] = [
  { role: 'viewer', what: 'reads everything except an unredacted export; explain' },
  { role: 'operator', what: 'viewer + every write on consumers, routes, policies, settings, keys, revocations, import' },
  { role: 'admin', what: 'everything, with admin tokens and the export with secrets' },
];

const LIFETIMES: { label: string; seconds: number | undefined }[] = [
  { label: 'never expires', seconds: undefined },
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86400 },
  { label: '30 days', seconds: 2_592_000 },
  { label: '1 year', seconds: 31_536_000 },
];

/** Named admin tokens with a role (SPEC §10): listed for everyone, created (shown once) and revoked by an admin. */
export function AdminTokensPage() {
  const list = useLoad(() => api<AdminTokenPageDto>('GET', '/admin-tokens'), []);
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<AdminTokenWithSecretDto | null>(null);
  const [revoking, setRevoking] = useState<AdminTokenDto | null>(null);
  const notice = useNotice();
  const admin = isAdmin();
  const me = whoami()?.name;
  return (
    <>
      <PageHeader title="Admin tokens" action={admin && { label: 'New admin token', onClick: () => setCreating(true) }}>
        Who may use this console, the CLI and the REST API, and with which role. Stored only as a hash: a token is shown once, when it is created. root is the bootstrap token (OAUTH2_ADMIN_TOKEN or
        admin.token) and cannot be revoked here.
      </PageHeader>
      <ErrorLine error={list.error} />
      <Notice text={notice.line} />
      <ListTable list={list} columns={['Name', 'Role', 'Created', 'Expires', 'Last used']} actions={admin} testId="admin-tokens">
        {(items) =>
          items.map((t) => (
            <tr key={t.name}>
              <td className="mono">
                {t.name}
                {t.name === me && <span className="tag">you</span>}
              </td>
              <td>{t.role}</td>
              <td>{when(t.created_at)}</td>
              <td>{t.expires_at ? when(t.expires_at) : 'never'}</td>
              <td>{when(t.last_used_at)}</td>
              {admin && (
                <td className="actions-col">
                  {t.name !== 'root' && (
                    <button type="button" className="small danger" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.name}`}>
                      Revoke
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))
        }
      </ListTable>
      {list.data?.items.length === 1 && (
        <p className="hint list-hint">
          {admin
            ? 'Only root so far. Give each person or program its own token with “New admin token”: a viewer for dashboards, an operator for CI.'
            : 'Only root so far; an admin creates named tokens.'}
        </p>
      )}
      {creating && (
        <CreateTokenDialog
          onClose={() => setCreating(false)}
          onCreated={(t) => {
            setCreating(false);
            setShown(t);
            void notice.after(list.reload);
          }}
        />
      )}
      {shown && <TokenOnceDialog token={shown} onClose={() => setShown(null)} />}
      {revoking && (
        <RevokeTokenDialog
          token={revoking}
          onClose={() => setRevoking(null)}
          onRevoked={() => {
            setRevoking(null);
            void notice.after(list.reload, `Revoked ${revoking.name}: every admin API process refuses it from the next request.`);
          }}
        />
      )}
    </>
  );
}

function CreateTokenDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (t: AdminTokenWithSecretDto) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<AdminRoleName>('viewer');
  const [life, setLife] = useState(0);
  const submit = async () => {
    const body: CreateAdminTokenDto = { name: name.trim(), role, expires_in: LIFETIMES[life].seconds };
    onCreated(await api<AdminTokenWithSecretDto>('POST', '/admin-tokens', { json: body }));
  };
  return (
    <FormDialog title="New admin token" label="Create" onClose={onClose} submit={submit}>
      <Field label="Name" htmlFor="t-name" hint="Who or what uses it, e.g. ci-deploy or alice. It is the actor in the audit log.">
        <input id="t-name" value={name} onChange={(e) => setName(e.target.value)} required autoFocus autoComplete="off" spellCheck={false} />
      </Field>
      <fieldset className="radios stacked">
        <legend>Role</legend>
        {ROLES.map((r) => (
          <label key={r.role}>
            <input type="radio" name="t-role" checked={role === r.role} onChange={() => setRole(r.role)} /> <strong>{r.role}</strong> <span className="muted">— {r.what}</span>
          </label>
        ))}
      </fieldset>
      <Field label="Lifetime" htmlFor="t-life">
        <select id="t-life" value={life} onChange={(e) => setLife(Number(e.target.value))}>
          {LIFETIMES.map((l, i) => (
            <option key={l.label} value={i}>
              {l.label}
            </option>
          ))}
        </select>
      </Field>
    </FormDialog>
  );
}

/** The token exists only in this dialog's props: dropped when it closes, never stored or put in a URL. */
function TokenOnceDialog({ token, onClose }: { token: AdminTokenWithSecretDto; onClose: () => void }) {
  return (
    <ShownOnceDialog
      title={`Admin token ${token.name} created`}
      warning="Copy the token now: it is shown only this once. Only its hash is stored; a lost token is revoked and replaced."
      onClose={onClose}
    >
      <dt>role</dt>
      <dd>{token.role}</dd>
      <dt>token</dt>
      <dd>
        <code data-testid="admin-token">{token.token}</code> <CopyButton text={token.token} label="Copy token" />
      </dd>
    </ShownOnceDialog>
  );
}

function RevokeTokenDialog({ token, onClose, onRevoked }: { token: AdminTokenDto; onClose: () => void; onRevoked: () => void }) {
  return (
    <ConfirmDialog title={`Revoke admin token ${token.name}?`} label="Revoke" onClose={onClose} submit={async () => (await api('DELETE', `/admin-tokens/${seg(token.name)}`), onRevoked())}>
      <p>Every admin API process refuses it from the next request ({token.role} role). Whoever uses it is signed out of the console.</p>
    </ConfirmDialog>
  );
}
