import { DEFAULT_SETTINGS, SETTING_KEYS, SETTINGS_SCHEMA } from '@oauth2/core';
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { PatchSettingsDto, SettingsDto } from '../api/types';
import { canWrite } from '../session';
import { ErrorLine, Form, Loading, Notice, PageHeader, useAction, useLoad, useNotice } from '../ui/ui';

type Key = keyof SettingsDto;

/** One line of help per setting, from the one settings schema (libs/core SETTINGS_SCHEMA), in its order. */
const HELP = Object.fromEntries(SETTING_KEYS.map((k) => [k, SETTINGS_SCHEMA[k].help])) as Record<Key, string>;

const ORDER = SETTING_KEYS as readonly Key[];
type Draft = Record<Key, string>;

const show = (v: unknown) => (v === null ? 'unset' : String(v));
const toDraft = (s: SettingsDto): Draft => Object.fromEntries(ORDER.map((k) => [k, show(s[k])])) as Draft;

function parse(key: Key, text: string): unknown {
  const d = DEFAULT_SETTINGS[key];
  if (key === 'global_auth') return text === 'unset' ? null : text === 'true';
  if (typeof d === 'boolean') return text === 'true';
  if (typeof d === 'number') return /^\d+$/.test(text.trim()) ? Number(text.trim()) : text;
  return text;
}

export function SettingsPage() {
  const current = useLoad(() => api<SettingsDto>('GET', '/settings'), []);
  const [draft, setDraft] = useState<Draft | null>(null);
  const notice = useNotice();
  const act = useAction();
  const write = canWrite();
  useEffect(() => {
    if (current.data) setDraft(toDraft(current.data));
  }, [current.data]);

  const changed = current.data && draft ? ORDER.filter((k) => draft[k] !== show(current.data![k])) : [];
  const save = () =>
    act.run(async () => {
      const patch = Object.fromEntries(changed.map((k) => [k, parse(k, draft![k])])) as PatchSettingsDto;
      const next = await api<SettingsDto>('PATCH', '/settings', { json: patch });
      setDraft(toDraft(next));
      await notice.after(current.reload, `Saved ${changed.join(', ')}.`);
    });

  return (
    <>
      <PageHeader title="Settings">Instance settings, named and defaulted as in the Higress OAuth2 plugin. Gateways pick changes up on their next reload.</PageHeader>
      <ErrorLine error={current.error ?? act.error} />
      <Notice text={notice.line} />
      {!draft ? (
        current.loading && <Loading rows={6} />
      ) : (
        <Form className="settings" onSubmit={save}>
          <table>
            <thead>
              <tr>
                <th scope="col">Setting</th>
                <th scope="col">Value</th>
                <th scope="col">Higress default</th>
              </tr>
            </thead>
            <tbody>
              {ORDER.map((k) => (
                <tr key={k} className={draft[k] !== show(current.data?.[k]) ? 'dirty' : undefined}>
                  <td>
                    <label htmlFor={`s-${k}`} className="mono">
                      {k}
                    </label>
                    <p className="hint" id={`s-${k}-help`}>
                      {HELP[k]}
                    </p>
                  </td>
                  <td>
                    <SettingInput k={k} value={draft[k]} disabled={!write} onChange={(v) => setDraft({ ...draft, [k]: v })} />
                  </td>
                  <td className="mono">
                    {show(DEFAULT_SETTINGS[k])}
                    {write && draft[k] !== show(DEFAULT_SETTINGS[k]) && (
                      <button type="button" className="small link" onClick={() => setDraft({ ...draft, [k]: show(DEFAULT_SETTINGS[k]) })}>
                        use default
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {write && (
            <div className="form-actions">
              <button type="submit" className="primary" disabled={act.busy || changed.length === 0}>
                {changed.length ? `Save ${changed.length} change${changed.length > 1 ? 's' : ''}` : 'No changes'}
              </button>
              <button type="button" disabled={changed.length === 0} onClick={() => current.data && setDraft(toDraft(current.data))}>
                Discard
              </button>
            </div>
          )}
        </Form>
      )}
    </>
  );
}

function SettingInput({ k, value, disabled, onChange }: { k: Key; value: string; disabled: boolean; onChange: (v: string) => void }) {
  const common = { id: `s-${k}`, 'aria-describedby': `s-${k}-help`, disabled, value, onChange: (e: { target: { value: string } }) => onChange(e.target.value) };
  const d = DEFAULT_SETTINGS[k];
  if (k === 'global_auth')
    return (
      <select {...common}>
        <option value="unset">unset</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  if (k === 'signing_alg')
    return (
      <select {...common}>
        {['HS256', 'RS256', 'ES256', 'EdDSA'].map((a) => (
          <option key={a}>{a}</option>
        ))}
      </select>
    );
  if (typeof d === 'boolean')
    return (
      <select {...common}>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  return <input {...common} inputMode={typeof d === 'number' ? 'numeric' : undefined} autoComplete="off" spellCheck={false} />;
}
