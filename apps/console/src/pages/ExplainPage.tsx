import { useState } from 'react';
import { api } from '../api/client';
import type { ExplainRequestDto, ExplainResultDto } from '../api/types';
import { ErrorLine, Field, Form, PageHeader, useAction } from '../ui/ui';

type Who = 'anonymous' | 'token' | 'consumer';

/** "Why is this request refused?": what the gateway would answer, step by step (POST /v1/explain). */
export function ExplainPage() {
  const [host, setHost] = useState('');
  const [path, setPath] = useState('/');
  const [method, setMethod] = useState('GET');
  const [who, setWho] = useState<Who>('token');
  const [token, setToken] = useState('');
  const [consumer, setConsumer] = useState('');
  const [result, setResult] = useState<ExplainResultDto | null>(null);
  const act = useAction();
  const explain = () =>
    act.run(async () => {
      setResult(null);
      const body: ExplainRequestDto = { host: host.trim(), path, method: method.trim() || undefined };
      if (who === 'token' && token.trim()) body.token = token.trim();
      if (who === 'consumer' && consumer.trim()) body.consumer = consumer.trim();
      setResult(await api<ExplainResultDto>('POST', '/explain', { json: body }));
    });
  return (
    <>
      <PageHeader title="Explain">
        What the gateway would answer to a request, and why: the route, the policy, the global_auth row and each token check, from the current configuration. Nothing is sent to an upstream.
      </PageHeader>
      <Form className="panel explain-form" onSubmit={explain}>
        <div className="row">
          <Field label="Method" htmlFor="e-method">
            <input id="e-method" value={method} onChange={(e) => setMethod(e.target.value)} size={7} autoComplete="off" spellCheck={false} />
          </Field>
          <Field label="Host" htmlFor="e-host" hint="The Host header; port and case are ignored.">
            <input id="e-host" value={host} onChange={(e) => setHost(e.target.value)} placeholder="api.example.com" autoComplete="off" spellCheck={false} />
          </Field>
          <Field label="Path" htmlFor="e-path" hint="Query allowed, or an absolute http(s) URL.">
            <input id="e-path" value={path} onChange={(e) => setPath(e.target.value)} required autoComplete="off" spellCheck={false} />
          </Field>
        </div>
        <fieldset className="radios">
          <legend>Caller</legend>
          <label>
            <input type="radio" name="who" checked={who === 'token'} onChange={() => setWho('token')} /> with this token
          </label>
          <label>
            <input type="radio" name="who" checked={who === 'consumer'} onChange={() => setWho('consumer')} /> as a consumer (token assumed valid)
          </label>
          <label>
            <input type="radio" name="who" checked={who === 'anonymous'} onChange={() => setWho('anonymous')} /> without a token
          </label>
        </fieldset>
        {who === 'token' && (
          <Field label="Access token" htmlFor="e-token" hint="Checked here only: never logged, never shown back.">
            <textarea id="e-token" rows={3} value={token} onChange={(e) => setToken(e.target.value)} spellCheck={false} autoComplete="off" placeholder="eyJ…" />
          </Field>
        )}
        {who === 'consumer' && (
          <Field label="Consumer" htmlFor="e-consumer">
            <input id="e-consumer" value={consumer} onChange={(e) => setConsumer(e.target.value)} autoComplete="off" spellCheck={false} />
          </Field>
        )}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={act.busy}>
            Explain
          </button>
        </div>
        <ErrorLine error={act.error} />
      </Form>
      {result && <ExplainResult r={result} />}
    </>
  );
}

function ExplainResult({ r }: { r: ExplainResultDto }) {
  const ok = r.outcome.status < 400;
  return (
    <section className="panel" aria-labelledby="outcome-title" data-testid="explain-result">
      <h2 id="outcome-title" className={ok ? 'outcome ok' : 'outcome bad'}>
        <span className="status">{r.outcome.status}</span> {r.outcome.reason}
        <span className="outcome-msg"> — {r.outcome.msg}</span>
      </h2>
      <p className="muted" data-testid="explain-request">
        {r.request.method} <span className="mono">{r.request.host || '(no host)'}</span>
        <span className="mono">{r.request.path}</span> · revision {r.revision}
      </p>
      {r.note && <p className="warn">{r.note}</p>}
      <ol className="steps" data-testid="explain-steps">
        <Step ok={r.route.matched !== null} title="Route">
          {r.route.matched ? <span className="mono">{r.route.matched}</span> : 'no route matches'}
          {r.route.candidates.length > 0 && (
            <ul className="candidates">
              {r.route.candidates.map((c) => (
                <li key={c.name}>
                  <span className="mono">{c.name}</span>: {c.reason}
                </li>
              ))}
            </ul>
          )}
        </Step>
        <Step ok={null} title="Policy">
          {r.rule.matched !== null ? `rule #${r.rule.matched} (position ${r.rule.position}, by ${r.rule.kind}) allows ${(r.rule.allow ?? []).join(', ')}` : 'no policy matches'}
          <div className="muted">{r.rule.reason}</div>
        </Step>
        <Step ok={null} title="global_auth">
          {r.global_auth_row} → {r.decision ?? 'refused before deciding'}
          {!r.auth_required && r.decision && <div className="muted">no token needed</div>}
        </Step>
        {r.verification.map((s, i) => (
          <Step key={i} ok={s.ok} title={s.step}>
            {s.detail}
          </Step>
        ))}
      </ol>
    </section>
  );
}

function Step({ ok, title, children }: { ok: boolean | null; title: string; children: React.ReactNode }) {
  return (
    <li className={ok === null ? 'step' : ok ? 'step ok' : 'step bad'}>
      <span className="step-mark" aria-label={ok === null ? 'info' : ok ? 'passed' : 'failed'}>
        {ok === null ? '•' : ok ? '✓' : '✗'}
      </span>
      <div>
        <strong>{title}</strong>
        <div>{children}</div>
      </div>
    </li>
  );
}
