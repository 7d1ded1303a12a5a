import { useState } from 'react';
import { api, seg } from '../api/client';
import type { KeyDto, KeyListDto, RotateKeyDto } from '../api/types';
import { canWrite } from '../session';
import { Empty, ErrorLine, Field, FormDialog, ListTable, Notice, PageHeader, RowAction, useAction, useLoad, useNotice, when } from '../ui/ui';

/** Gateway signing keys (RS256 / ES256 / EdDSA): published as a JWKS; private halves never leave the store. */
export function KeysPage() {
  const keys = useLoad(() => api<KeyListDto>('GET', '/keys'), []);
  const [rotating, setRotating] = useState(false);
  const notice = useNotice();
  const retire = useAction();
  const write = canWrite();
  return (
    <>
      <PageHeader title="Signing keys" action={write && { label: 'Rotate key', onClick: () => setRotating(true) }}>
        Keys the gateway signs tokens with when signing_alg is not HS256. The active key signs; inactive keys stay published until the tokens they signed have expired.
      </PageHeader>
      <ErrorLine error={keys.error ?? retire.error} />
      <Notice text={notice.line} />
      <ListTable
        list={keys}
        columns={['kid', 'alg', 'Status', 'Created', 'Retirable from']}
        actions={write}
        empty={<Empty title="No signing keys.">With signing_alg HS256 (the Higress default) tokens are signed with each client's secret and no key is needed. “Rotate key” creates one.</Empty>}
      >
        {(items) =>
          items.map((k: KeyDto) => (
            <tr key={k.kid}>
              <td className="mono ellipsis" title={k.kid}>
                {k.kid}
              </td>
              <td>{k.alg}</td>
              <td>
                <span className={`tag status-${k.status}`}>{k.status}</span>
              </td>
              <td>{when(k.created_at)}</td>
              <td>{k.status === 'inactive' ? when(k.retirable_at) : '—'}</td>
              {write && (
                <td className="actions-col">
                  {k.status === 'inactive' && (
                    <RowAction
                      action={retire}
                      label="Retire"
                      run={async () => {
                        await api('POST', `/keys/${seg(k.kid)}/retire`, { json: {} });
                        await notice.after(keys.reload, `Retired key ${k.kid}.`);
                      }}
                    />
                  )}
                </td>
              )}
            </tr>
          ))
        }
      </ListTable>
      {rotating && (
        <RotateKeyDialog
          onClose={() => setRotating(false)}
          onRotated={(k) => {
            setRotating(false);
            void notice.after(keys.reload, `New active key ${k.kid} (${k.alg}).`);
          }}
        />
      )}
    </>
  );
}

function RotateKeyDialog({ onClose, onRotated }: { onClose: () => void; onRotated: (k: KeyDto) => void }) {
  const [alg, setAlg] = useState<'' | NonNullable<RotateKeyDto['alg']>>('');
  return (
    <FormDialog title="Rotate the signing key?" label="Rotate" onClose={onClose} submit={async () => onRotated(await api<KeyDto>('POST', '/keys/rotate', { json: alg ? { alg } : {} }))}>
      <p>A new key becomes the active one; the current key stays published, so tokens it signed keep verifying until they expire.</p>
      <Field label="Algorithm" htmlFor="k-alg" hint="Another algorithm also switches signing_alg to it.">
        <select id="k-alg" value={alg} onChange={(e) => setAlg(e.target.value as typeof alg)} autoFocus>
          <option value="">the current signing_alg</option>
          <option>RS256</option>
          <option>ES256</option>
          <option>EdDSA</option>
        </select>
      </Field>
    </FormDialog>
  );
}
