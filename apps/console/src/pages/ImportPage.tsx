import { useState, type ChangeEvent } from 'react';
import { api } from '../api/client';
import type { ApplyChangesDto, ApplyResultDto, ConsumerPageDto, RuleChangeDto, RulePageDto } from '../api/types';
import { canWrite, whoami } from '../session';
import { ErrorLine, Field, PageHeader, useAction } from '../ui/ui';

/** A JSON document starts with "{"; anything else is sent as YAML (a superset of JSON). */
const typeOf = (text: string) => (/^\s*\{/.test(text) ? 'application/json' : 'application/yaml');

interface Preview {
  doc: string;
  result: ApplyResultDto;
  consumersNow: number;
  rulesNow: number;
}

/** Higress import: paste or upload, dry run, look at what would change, then apply. */
export function ImportPage() {
  const [doc, setDoc] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [applied, setApplied] = useState<ApplyResultDto | null>(null);
  const act = useAction();
  const write = canWrite();
  const stale = preview !== null && preview.doc !== doc;

  const upload = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    // No size check here: /v1/apply takes up to OAUTH2_APPLY_MAX_BYTES (256 MiB unless set), and its 413 names that limit.
    setDoc(await file.text());
    setPreview(null);
    setApplied(null);
  };
  const dryRun = () =>
    act.run(async () => {
      setApplied(null);
      setPreview(null);
      const [result, consumers, rules] = await Promise.all([
        api<ApplyResultDto>('POST', '/apply', { query: { dry_run: true }, text: { body: doc, type: typeOf(doc) } }),
        api<ConsumerPageDto>('GET', '/consumers', { query: { limit: 1 } }),
        api<RulePageDto>('GET', '/rules', { query: { limit: 1 } }),
      ]);
      setPreview({ doc, result, consumersNow: consumers.total, rulesNow: rules.total });
    });
  const apply = () =>
    act.run(async () => {
      if (!preview || stale) return;
      const result = await api<ApplyResultDto>('POST', '/apply', { text: { body: preview.doc, type: typeOf(preview.doc) } });
      setApplied(result);
      setPreview(null);
    });

  return (
    <>
      <PageHeader title="Import">
        Bring in a Higress configuration: a WasmPlugin document, or the bare plugin config (YAML or JSON). It <strong>replaces</strong> the settings, consumers and policies; routes are kept. Preview
        first: nothing changes until you apply.
      </PageHeader>
      {!write && (
        <p className="warn readonly-note" data-testid="readonly">
          Importing changes the store: it needs the operator role, and you are signed in as {whoami()?.role}. The CLI&apos;s <span className="mono">oauth2ctl apply --dry-run</span> needs it too.
        </p>
      )}
      <div className={write ? 'panel' : 'panel hidden'}>
        <Field label="Document" htmlFor="import-doc" hint="Paste it here, or choose a file (up to the admin API's OAUTH2_APPLY_MAX_BYTES, 256 MiB unless set).">
          <textarea
            id="import-doc"
            rows={14}
            value={doc}
            onChange={(e) => {
              setDoc(e.target.value);
              setApplied(null);
            }}
            spellCheck={false}
            autoComplete="off"
            placeholder={'apiVersion: extensions.higress.io/v1alpha1\nkind: WasmPlugin\nspec:\n  defaultConfig:\n    consumers: [...]'}
          />
        </Field>
        <div className="form-actions">
          <label className="file-button">
            Choose file…
            <input type="file" accept=".yaml,.yml,.json,application/json,application/yaml,text/yaml" onChange={upload} />
          </label>
          <button type="button" className="primary" disabled={act.busy || doc.trim() === ''} onClick={dryRun}>
            Preview (dry run)
          </button>
        </div>
        <ErrorLine error={act.error} />
      </div>
      {preview && (
        <section className="panel" aria-labelledby="preview-title" data-testid="import-preview">
          <h2 id="preview-title">Preview {stale && <span className="tag warn-tag">the document changed since: preview again</span>}</h2>
          <table className="compare" data-testid="import-counts">
            <thead>
              <tr>
                <th scope="col" />
                <th scope="col">Now</th>
                <th scope="col">After apply</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">Consumers</th>
                <td>{preview.consumersNow}</td>
                <td>{preview.result.applied.consumers}</td>
              </tr>
              <tr>
                <th scope="row">Policies</th>
                <td>{preview.rulesNow}</td>
                <td>{preview.result.applied.rules}</td>
              </tr>
            </tbody>
          </table>
          <Changes changes={preview.result.changes} />
          <p className="hint">Routes are kept. Settings the document leaves out return to their Higress defaults.</p>
          {preview.result.warnings.length > 0 ? (
            <>
              <h3>Warnings</h3>
              <ul className="warnings">
                {preview.result.warnings.map((w, i) => (
                  <li key={i}>{w}</li>
                ))}
              </ul>
            </>
          ) : (
            <p>No warnings.</p>
          )}
          {write && (
            <div className="form-actions">
              <button type="button" className="primary" disabled={act.busy || stale} onClick={apply}>
                Apply
              </button>
              <button type="button" onClick={() => setPreview(null)}>
                Cancel
              </button>
            </div>
          )}
        </section>
      )}
      {applied && (
        <p className="notice" role="status" data-testid="import-applied">
          Applied: {applied.applied.consumers} consumers and {applied.applied.rules} policies, revision {applied.revision}
          {applied.warnings.length ? ` (${applied.warnings.length} warning${applied.warnings.length > 1 ? 's' : ''})` : ''}.
        </p>
      )}
    </>
  );
}

const ruleText = (r: RuleChangeDto) =>
  `#${r.position} ${r.routes ? `routes ${r.routes.join(', ')}` : `domains ${(r.domains ?? []).join(', ')}`}: allow ${
    [r.allow.join(', '), r.allow_groups?.length ? `groups ${r.allow_groups.join(', ')}` : ''].filter(Boolean).join('; ') || 'nobody'
  }${r.scopes?.length ? `; requires ${r.scopes.join(' ')}` : ''}`;

const show = (v: unknown) => (v === null || v === undefined ? 'unset' : typeof v === 'string' ? v : JSON.stringify(v));

/** What the apply would change (the dry run's `changes`): names and field names only, never a secret value. */
function Changes({ changes }: { changes: ApplyChangesDto }) {
  const c = changes.consumers;
  const r = changes.rules;
  const none = !c.added.length && !c.removed.length && !c.changed.length && !r.added.length && !r.removed.length && !r.changed.length && !changes.settings.length;
  if (none) return <p data-testid="import-changes">Nothing would change: the document says what the store already holds.</p>;
  return (
    <div className="changes" data-testid="import-changes">
      <ChangeList title="Consumers added" testid="consumers-added" kind="add" items={c.added} />
      <ChangeList title="Consumers removed" testid="consumers-removed" kind="remove" items={c.removed} />
      <ChangeList title="Consumers changed" testid="consumers-changed" kind="change" items={c.changed.map((x) => `${x.name} (${x.fields.join(', ')})`)} />
      <ChangeList title="Policies added" testid="rules-added" kind="add" items={r.added.map(ruleText)} />
      <ChangeList title="Policies removed" testid="rules-removed" kind="remove" items={r.removed.map(ruleText)} />
      <ChangeList title="Policies changed" testid="rules-changed" kind="change" items={r.changed.map((x) => `${ruleText(x)}${x.fields?.length ? ` (${x.fields.join(', ')})` : ''}`)} />
      <ChangeList title="Settings changed" testid="settings-changed" kind="change" items={changes.settings.map((x) => `${x.key}: ${show(x.from)} → ${show(x.to)}`)} />
    </div>
  );
}

function ChangeList({ title, items, kind, testid }: { title: string; items: string[]; kind: 'add' | 'remove' | 'change'; testid: string }) {
  if (!items.length) return null;
  return (
    <section className={`change change-${kind}`} data-testid={testid}>
      <h3>
        {title} <span className="tag">{items.length}</span>
      </h3>
      <ul>
        {items.slice(0, 200).map((t, i) => (
          <li key={i} className="mono">
            {t}
          </li>
        ))}
        {items.length > 200 && <li className="muted">… and {(items.length - 200).toLocaleString()} more</li>}
      </ul>
    </section>
  );
}
