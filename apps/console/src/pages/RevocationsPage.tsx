import { useState } from 'react';
import { api, seg } from '../api/client';
import type { RevocationDto, RevocationInputDto, RevocationPageDto } from '../api/types';
import { canWrite } from '../session';
import { Empty, ErrorLine, Field, FormDialog, ListTable, Notice, PageHeader, RowAction, useAction, useNotice, usePaged, when } from '../ui/ui';

const unix = (s: number | undefined) => (s === undefined ? '—' : new Date(s * 1000).toLocaleString());

/** Token revocations: one token by jti, or every token a client got before now. */
export function RevocationsPage() {
  const [adding, setAdding] = useState(false);
  const notice = useNotice();
  const list = usePaged<RevocationPageDto>('/revocations');
  const del = useAction();
  const write = canWrite();
  return (
    <>
      <PageHeader title="Revocations" action={write && { label: 'Revoke', onClick: () => setAdding(true) }}>
        Tokens refused before they expire. Gateways enforce a revocation on their next reload.
      </PageHeader>
      <ErrorLine error={list.error ?? del.error} />
      <Notice text={notice.line} />
      <ListTable
        list={list}
        columns={['#', 'What', 'Until / before', 'Created']}
        actions={write}
        empty={
          <Empty title="Nothing is revoked.">{write ? '“Revoke” refuses one token by its jti, or every token a client was issued so far.' : 'An operator with write access revokes tokens.'}</Empty>
        }
      >
        {(items) =>
          items.map((r: RevocationDto) => (
            <tr key={r.id}>
              <td>{r.id}</td>
              <td className="mono">{r.jti !== undefined ? `jti ${r.jti}` : `client_id ${r.client_id}`}</td>
              <td>{r.jti !== undefined ? `until ${unix(r.exp)}` : `issued before ${unix(r.revoked_before)}`}</td>
              <td>{when(r.created_at)}</td>
              {write && (
                <td className="actions-col">
                  <RowAction
                    action={del}
                    label="Lift"
                    run={async () => {
                      await api('DELETE', `/revocations/${seg(r.id)}`);
                      await notice.after(list.reload, `Lifted revocation #${r.id}.`);
                    }}
                  />
                </td>
              )}
            </tr>
          ))
        }
      </ListTable>
      {list.pager}
      {adding && (
        <RevokeDialog
          onClose={() => setAdding(false)}
          onDone={(r) => {
            setAdding(false);
            void notice.after(list.reload, `Revocation #${r.id} added.`);
          }}
        />
      )}
    </>
  );
}

function RevokeDialog({ onClose, onDone }: { onClose: () => void; onDone: (r: RevocationDto) => void }) {
  const [by, setBy] = useState<'jti' | 'client_id'>('jti');
  const [value, setValue] = useState('');
  const [exp, setExp] = useState('');
  const submit = async () => {
    const body: RevocationInputDto = by === 'jti' ? { jti: value.trim() } : { client_id: value.trim() };
    if (by === 'jti' && exp.trim()) body.exp = /^\d+$/.test(exp.trim()) ? Number(exp.trim()) : (exp as unknown as number);
    onDone(await api<RevocationDto>('POST', '/revocations', { json: body }));
  };
  return (
    <FormDialog title="Revoke tokens" label="Revoke" danger onClose={onClose} submit={submit}>
      <fieldset className="radios">
        <legend>Revoke</legend>
        <label>
          <input type="radio" name="by" checked={by === 'jti'} onChange={() => setBy('jti')} /> one token (jti)
        </label>
        <label>
          <input type="radio" name="by" checked={by === 'client_id'} onChange={() => setBy('client_id')} /> every token of a client so far
        </label>
      </fieldset>
      <Field label={by} htmlFor="v-value">
        <input id="v-value" value={value} onChange={(e) => setValue(e.target.value)} required autoFocus autoComplete="off" spellCheck={false} />
      </Field>
      {by === 'jti' && (
        <Field label="exp (optional)" htmlFor="v-exp" hint="The token's exp, unix seconds: how long to keep the revocation. Default: now + token_ttl.">
          <input id="v-exp" inputMode="numeric" value={exp} onChange={(e) => setExp(e.target.value)} autoComplete="off" />
        </Field>
      )}
    </FormDialog>
  );
}
