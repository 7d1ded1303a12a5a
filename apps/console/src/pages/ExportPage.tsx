import { useState } from 'react';
import { apiText } from '../api/client';
import { isAdmin } from '../session';
import { ErrorLine, Form, Notice, PageHeader, useAction } from '../ui/ui';

/** Export: the configuration as a WasmPlugin document that Import takes back. */
export function ExportPage() {
  const [format, setFormat] = useState<'yaml' | 'json'>('yaml');
  const [redact, setRedact] = useState(true);
  const admin = isAdmin();
  const [done, setDone] = useState<string | null>(null);
  const act = useAction();
  const download = () =>
    act.run(async () => {
      setDone(null);
      const { text, type } = await apiText('GET', '/export', { query: { format, redact } });
      // A Blob URL, so the admin token stays in the request header and out of any link.
      const href = URL.createObjectURL(new Blob([text], { type }));
      const name = `oauth2-gateway-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}${redact ? '-redacted' : ''}.${format}`;
      const a = document.createElement('a');
      a.href = href;
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(href), 1000);
      setDone(`Downloaded ${name}.`);
    });
  return (
    <>
      <PageHeader title="Export">The whole configuration (settings, consumers, policies) as a Higress WasmPlugin document, for a backup or another gateway. Import takes it back.</PageHeader>
      <Form className="panel" onSubmit={download}>
        <fieldset className="radios">
          <legend>Format</legend>
          <label>
            <input type="radio" name="format" checked={format === 'yaml'} onChange={() => setFormat('yaml')} /> YAML
          </label>
          <label>
            <input type="radio" name="format" checked={format === 'json'} onChange={() => setFormat('json')} /> JSON
          </label>
        </fieldset>
        {admin ? (
          <div className="check">
            <input id="x-redact" type="checkbox" checked={redact} onChange={(e) => setRedact(e.target.checked)} />
            <label htmlFor="x-redact">Mask client secrets</label>
          </div>
        ) : (
          <p className="hint check">Client secrets are masked: an export with them needs the admin role.</p>
        )}
        {!redact && <p className="warn">Unmasked, the file holds every client secret in clear text: keep it like a password.</p>}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={act.busy}>
            Download
          </button>
        </div>
        <ErrorLine error={act.error} />
        <Notice text={done} />
      </Form>
    </>
  );
}
