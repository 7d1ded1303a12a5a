import { useState } from 'react';
import { api, listAll, seg } from '../api/client';
import type { RouteDto, RuleDto, RuleInputDto } from '../api/types';
import { canWrite } from '../session';
import { ConfirmDialog, Empty, ErrorLine, Field, FormDialog, ListBody, Notice, PAGE, PageHeader, Pager, pageStart, splitList, useAction, useLoad, useNotice } from '../ui/ui';
import { moveTo } from './reorder';
import { allRules } from './rules-using';

/** The body a PUT takes back: the rule as read, with a new position (a PUT replaces every list). */
export function ruleBody(r: RuleDto, position = r.position): RuleInputDto {
  const body: RuleInputDto = { allow: r.allow, allow_groups: r.allow_groups, scopes: r.scopes, position };
  if (r.routes) body.routes = r.routes;
  else body.domains = r.domains ?? [];
  return body;
}

/** Who passes a rule's who-part (SPEC §8.3), in words. */
function whoLine(r: RuleDto): string {
  if (r.allow.length === 0 && r.allow_groups.length === 0) return r.scopes.length ? 'any consumer holding the required scopes' : 'nobody';
  return [r.allow.length ? `consumers ${r.allow.join(', ')}` : '', r.allow_groups.length ? `groups ${r.allow_groups.join(', ')}` : ''].filter(Boolean).join(' or ');
}

/** Rules (policies) in evaluation order: the first rule that matches a request decides it. */
export function PoliciesPage() {
  const rules = useLoad(allRules, []);
  // Route names, to mark a rule naming a route that does not exist yet (an import keeps those): such a
  // rule matches nothing until the route is added, and the native API will not take it back in a PUT.
  const routes = useLoad(async () => new Set((await listAll<RouteDto>('/routes')).map((r) => r.name)), []);
  // Every rule is loaded (a move renumbers against all of them); PAGE of them are on screen.
  const [offset, setOffset] = useState(0);
  const [editing, setEditing] = useState<RuleDto | 'new' | null>(null);
  const [deleting, setDeleting] = useState<RuleDto | null>(null);
  const notice = useNotice();
  const move = useAction();
  const write = canWrite();

  const moveRule = (from: number, to: number) =>
    move.run(async () => {
      notice.set(null);
      const list = rules.data ?? [];
      const puts = moveTo(list, from, to);
      const byId = new Map(list.map((r) => [r.id, r]));
      try {
        // One PUT when a position fits between the new neighbours; else a renumbering, one PUT per rule (not atomic: reorder.ts).
        for (const p of puts) await api<RuleDto>('PUT', `/rules/${seg(p.id)}`, { json: ruleBody(byId.get(p.id)!, p.position) });
      } finally {
        // The buttons stay busy until the list shows the order as it now is (also after a failure part-way).
        await rules.reload();
      }
      notice.set(`Moved rule #${list[from].id} ${to < from ? 'up' : 'down'} to place ${to + 1}${puts.length > 1 ? ` (renumbered ${puts.length} rules)` : ''}.`);
      // A move across a page border follows the rule to its new page.
      setOffset(pageStart(to));
    });

  return (
    <>
      <PageHeader title="Policies" action={write && { label: 'New policy', onClick: () => setEditing('new') }}>
        Checked top to bottom. The <strong>first</strong> policy whose routes or domains match a request decides it: who may pass (consumers or groups) and which scopes the token must carry; the ones
        below it are not consulted.
      </PageHeader>
      <ErrorLine error={move.error ?? rules.error} />
      <Notice text={notice.line} />
      <ListBody
        items={rules.data}
        loading={rules.loading}
        empty={
          <Empty title="No policies yet.">
            Until one exists, any valid token passes (unless global_auth is false in Settings, which lets every request through).{' '}
            {write && 'Add one with “New policy” to name who may use a route or domain.'}
          </Empty>
        }
      >
        {(items) => {
          // A reload after a delete can leave the page past the end: show the last one.
          const at = offset < items.length ? offset : pageStart(items.length - 1);
          return (
            <>
              <ol className="rules" data-testid="rules" aria-busy={rules.loading || move.busy} start={at + 1}>
                {items.slice(at, at + PAGE).map((r, k) => {
                  const i = at + k;
                  return (
                    <li key={r.id} className="rule" data-rule-id={r.id}>
                      <div className="rule-order" aria-hidden="true">
                        {i + 1}
                      </div>
                      <div className="rule-body">
                        <p className="rule-title">
                          <span className="tag">{i === 0 ? 'checked first' : i === 1 ? 'checked if 1 does not match' : `checked if 1–${i} do not match`}</span> rule #{r.id} · position {r.position}
                        </p>
                        <p>
                          <span className="muted">{r.routes ? 'routes' : 'domains'}</span> <span className="mono">{(r.routes ?? r.domains ?? []).join(', ')}</span>
                          {r.routes && routes.data && r.routes.some((n) => !routes.data!.has(n)) && (
                            <span className="tag warn-tag" title="Add the route on the Routes page; until then this rule matches nothing there">
                              no such route yet: {r.routes.filter((n) => !routes.data!.has(n)).join(', ')}
                            </span>
                          )}
                        </p>
                        <p>
                          <span className="muted">allow</span> <span className="mono">{whoLine(r)}</span>
                        </p>
                        {r.scopes.length > 0 && (
                          <p>
                            <span className="muted">requires scopes</span>{' '}
                            {r.scopes.map((s) => (
                              <span key={s} className="chip mono">
                                {s}
                              </span>
                            ))}
                          </p>
                        )}
                      </div>
                      {write && (
                        <div className="rule-actions">
                          <button type="button" className="small" disabled={i === 0 || move.busy} onClick={() => moveRule(i, i - 1)} aria-label={`Move rule #${r.id} up`} title="Move up">
                            ↑
                          </button>
                          <button
                            type="button"
                            className="small"
                            disabled={i === items.length - 1 || move.busy}
                            onClick={() => moveRule(i, i + 1)}
                            aria-label={`Move rule #${r.id} down`}
                            title="Move down"
                          >
                            ↓
                          </button>
                          <button type="button" className="small" onClick={() => setEditing(r)} aria-label={`Edit rule #${r.id}`}>
                            Edit
                          </button>
                          <button type="button" className="small danger" onClick={() => setDeleting(r)} aria-label={`Delete rule #${r.id}`}>
                            Delete
                          </button>
                        </div>
                      )}
                    </li>
                  );
                })}
              </ol>
              <Pager offset={at} limit={PAGE} total={items.length} onChange={setOffset} />
            </>
          );
        }}
      </ListBody>
      {editing && (
        <RuleDialog
          rule={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(r) => {
            setEditing(null);
            void notice.after(rules.reload, `Saved rule #${r.id}.`);
          }}
        />
      )}
      {deleting && (
        <DeleteRuleDialog
          rule={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            setDeleting(null);
            void notice.after(rules.reload, `Deleted rule #${deleting.id}.`);
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
  const [groups, setGroups] = useState(rule?.allow_groups.join(', ') ?? '');
  const [scopes, setScopes] = useState(rule?.scopes.join(' ') ?? '');
  const [position, setPosition] = useState(rule ? String(rule.position) : '');
  const save = async () => {
    const body = { [kind]: splitList(targets), allow: splitList(allow), allow_groups: splitList(groups), scopes: splitList(scopes) } as RuleInputDto;
    if (position.trim() !== '') body.position = /^\d+$/.test(position.trim()) ? Number(position.trim()) : (position as unknown as number);
    onSaved(rule ? await api<RuleDto>('PUT', `/rules/${seg(rule.id)}`, { json: body }) : await api<RuleDto>('POST', '/rules', { json: body }));
  };
  return (
    <FormDialog title={rule ? `Edit rule #${rule.id}` : 'New policy'} label={rule ? 'Save' : 'Create'} onClose={onClose} submit={save}>
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
      <Field label="Allow consumers" htmlFor="p-allow" hint="Consumer names, comma separated; each must exist.">
        <input id="p-allow" value={allow} onChange={(e) => setAllow(e.target.value)} autoComplete="off" spellCheck={false} />
      </Field>
      <Field label="Allow groups" htmlFor="p-groups" hint="Group names, comma separated; a member of any of them passes. A group needs no members yet.">
        <input id="p-groups" value={groups} onChange={(e) => setGroups(e.target.value)} autoComplete="off" spellCheck={false} />
      </Field>
      <Field
        label="Required scopes"
        htmlFor="p-scopes"
        hint="Space separated; the token must carry every one (granted to the consumer). With no consumer and no group, any consumer holding them passes."
      >
        <input id="p-scopes" value={scopes} onChange={(e) => setScopes(e.target.value)} autoComplete="off" spellCheck={false} />
      </Field>
      <Field label="Position (optional)" htmlFor="p-pos" hint="Lower is checked first; empty appends it last. ↑ and ↓ in the list set it for you.">
        <input id="p-pos" inputMode="numeric" value={position} onChange={(e) => setPosition(e.target.value)} autoComplete="off" />
      </Field>
    </FormDialog>
  );
}

function DeleteRuleDialog({ rule, onClose, onDeleted }: { rule: RuleDto; onClose: () => void; onDeleted: () => void }) {
  return (
    <ConfirmDialog title={`Delete rule #${rule.id}?`} label="Delete" onClose={onClose} submit={async () => (await api('DELETE', `/rules/${seg(rule.id)}`), onDeleted())}>
      <p>Requests it matched fall through to the next policy that matches them, or to the global_auth setting when none does.</p>
    </ConfirmDialog>
  );
}
