import { useState } from 'react';
import { api, seg } from '../api/client';
import type { RuleDto, RuleInputDto } from '../api/types';
import { canWrite } from '../session';
import { Dialog, Empty, ErrorLine, Field, Loading, Notice, PageHeader, splitList, useAction, useLoad } from '../ui/ui';
import { allRules } from './rules-using';

/** Rules (allow lists) in evaluation order: the first rule that matches a request decides it. */
export function PoliciesPage() {
  const rules = useLoad(allRules, []);
  const [editing, setEditing] = useState<RuleDto | 'new' | null>(null);
  const [deleting, setDeleting] = useState<RuleDto | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const write = canWrite();
  return (
    <>
      <PageHeader
        title="Policies"
        actions={
          write && (
            <button type="button" className="primary" onClick={() => setEditing('new')}>
              New policy
            </button>
          )
        }
      >
        Allow lists, checked top to bottom. The <strong>first</strong> policy whose routes or domains match a request decides who may pass; the ones below it are not consulted.
      </PageHeader>
      <ErrorLine error={rules.error} />
      <Notice text={notice} />
      {rules.loading && !rules.data ? (
        <Loading />
      ) : rules.data && rules.data.length === 0 ? (
        <Empty title="No policies yet.">
          Until one exists, any valid token passes (unless global_auth is false in Settings, which lets every request through).{' '}
          {write && 'Add one with “New policy” to name who may use a route or domain.'}
        </Empty>
      ) : (
        rules.data && (
          <ol className="rules" data-testid="rules">
            {rules.data.map((r, i) => (
              <li key={r.id} className="rule">
                <div className="rule-order" aria-hidden="true">
                  {i + 1}
                </div>
                <div className="rule-body">
                  <p className="rule-title">
                    <span className="tag">{i === 0 ? 'checked first' : `checked if 1–${i} do not match`}</span> rule #{r.id} · position {r.position}
                  </p>
                  <p>
                    <span className="muted">{r.routes ? 'routes' : 'domains'}</span> <span className="mono">{(r.routes ?? r.domains ?? []).join(', ')}</span>
                  </p>
                  <p>
                    <span className="muted">allow</span> <span className="mono">{r.allow.join(', ')}</span>
                  </p>
                </div>
                {write && (
                  <div className="rule-actions">
                    <button type="button" className="small" onClick={() => setEditing(r)}>
                      Edit
                    </button>
                    <button type="button" className="small danger" onClick={() => setDeleting(r)}>
                      Delete
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ol>
        )
      )}
      {editing && (
        <RuleDialog
          rule={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(r) => {
            setEditing(null);
            setNotice(`Saved rule #${r.id}.`);
            rules.reload();
          }}
        />
      )}
      {deleting && (
        <DeleteRuleDialog
          rule={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            setNotice(`Deleted rule #${deleting.id}.`);
            setDeleting(null);
            rules.reload();
          }}
        />
      )}
    </>
  );
}

function RuleDialog({ rule, onClose, onSaved }: { rule: RuleDto | null; onClose: () => void; onSaved: (r: RuleDto) => void }) {
  const [kind, setKind] = useState<'routes' | 'domains'>(rule?.domains ? 'domains' : 'routes');
  const [targets, setTargets] = useState((rule?.routes ?? rule?.domains ?? []).join(', '));
  const [allow, setAllow] = useState(rule?.allow.join(', ') ?? '');
  const [position, setPosition] = useState(rule ? String(rule.position) : '');
  const act = useAction();
  const save = () =>
    act.run(async () => {
      const body: RuleInputDto = { [kind]: splitList(targets), allow: splitList(allow) } as RuleInputDto;
      if (position.trim() !== '') body.position = Number(position);
      onSaved(rule ? await api<RuleDto>('PUT', `/rules/${seg(rule.id)}`, { json: body }) : await api<RuleDto>('POST', '/rules', { json: body }));
    });
  return (
    <Dialog
      title={rule ? `Edit rule #${rule.id}` : 'New policy'}
      onClose={onClose}
      onSubmit={save}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={act.busy}>
            {rule ? 'Save' : 'Create'}
          </button>
        </>
      }
    >
      <fieldset className="radios">
        <legend>Matches requests by</legend>
        <label>
          <input type="radio" name="kind" checked={kind === 'routes'} onChange={() => setKind('routes')} /> route name
        </label>
        <label>
          <input type="radio" name="kind" checked={kind === 'domains'} onChange={() => setKind('domains')} /> host (domain)
        </label>
      </fieldset>
      <Field label={kind === 'routes' ? 'Routes' : 'Domains'} htmlFor="p-targets" hint={kind === 'routes' ? 'Route names, comma separated.' : 'Exact hosts or *.suffix, comma separated.'}>
        <input id="p-targets" value={targets} onChange={(e) => setTargets(e.target.value)} required autoFocus autoComplete="off" spellCheck={false} />
      </Field>
      <Field label="Allow" htmlFor="p-allow" hint="Consumer names, comma separated; each must exist.">
        <input id="p-allow" value={allow} onChange={(e) => setAllow(e.target.value)} required autoComplete="off" spellCheck={false} />
      </Field>
      <Field label="Position (optional)" htmlFor="p-pos" hint="Lower is checked first; empty appends it last.">
        <input id="p-pos" inputMode="numeric" value={position} onChange={(e) => setPosition(e.target.value)} autoComplete="off" />
      </Field>
      <ErrorLine error={act.error} />
    </Dialog>
  );
}

function DeleteRuleDialog({ rule, onClose, onDeleted }: { rule: RuleDto; onClose: () => void; onDeleted: () => void }) {
  const act = useAction();
  return (
    <Dialog
      title={`Delete rule #${rule.id}?`}
      onClose={onClose}
      onSubmit={() => act.run(async () => (await api('DELETE', `/rules/${seg(rule.id)}`), onDeleted()))}
      footer={
        <>
          <button type="button" onClick={onClose} autoFocus>
            Cancel
          </button>
          <button type="submit" className="danger" disabled={act.busy}>
            Delete
          </button>
        </>
      }
    >
      <p>Requests it matched fall through to the next policy that matches them, or to the global_auth setting when none does.</p>
      <ErrorLine error={act.error} />
    </Dialog>
  );
}
