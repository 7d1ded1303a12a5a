import { useState } from 'react';
import { api, lineOf } from '../api/client';
import type { WhoamiDto } from '../api/types';
import { setToken } from '../session';
import { ErrorLine, Field, Form } from '../ui/ui';

/** Sign-in with an admin token: checked against the API, then kept in this tab's sessionStorage only. */
export function SignInPage({ reason, onSignedIn }: { reason: string | null; onSignedIn: (w: WhoamiDto) => void }) {
  const [token, setTokenText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(null);
    const t = token.trim();
    try {
      const w = await api<WhoamiDto>('GET', '/whoami', { token: t });
      setToken(t);
      setTokenText('');
      onSignedIn(w);
    } catch (e) {
      setError(lineOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <Form className="panel" onSubmit={submit}>
        <h1>
          <span className="logo" aria-hidden="true" /> oauth2-gateway console
        </h1>
        {reason && (
          <p className="warn" role="status">
            {reason}
          </p>
        )}
        <Field
          label="Admin token"
          htmlFor="token"
          hint={
            <>
              The <span className="mono">admin.token</span> file of the data dir (<span className="mono">npm start</span> prints where), or OAUTH2_ADMIN_TOKEN. Kept in this tab only, until you sign
              out or close it.
            </>
          }
        >
          <input id="token" type="password" value={token} onChange={(e) => setTokenText(e.target.value)} required autoFocus autoComplete="off" spellCheck={false} />
        </Field>
        <ErrorLine error={error} />
        <button type="submit" className="primary wide" disabled={busy || token.trim() === ''}>
          Sign in
        </button>
      </Form>
    </main>
  );
}
