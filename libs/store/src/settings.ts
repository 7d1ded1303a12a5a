import { checkSettings, DEFAULT_SETTINGS, documentKeyOf, SETTING_KEYS, settingSpec, type Settings } from '@oauth2/core';
import { change, type StoreContext } from './context';
import { SettingsEntity } from './entities';
import { invalid } from './errors';
import { syncSigningKeys } from './signing-keys';

/** The row's columns, schema key by schema key; a NULL in a column that is not nullable reads as its default. */
export function settingsOf(e: SettingsEntity): Settings {
  const out: Record<string, unknown> = {};
  for (const k of SETTING_KEYS) out[k] = e[k] ?? DEFAULT_SETTINGS[k];
  return out as Settings;
}

/**
 * The settings part of an export (a Higress `defaultConfig`), each under its document key. An unset
 * (null) setting is left out, as is one of ours (no Higress name, e.g. signing_alg) at its default,
 * so a default export stays a pure Higress document (docs/signing-keys.md).
 */
export function documentSettings(s: Settings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of SETTING_KEYS) {
    const spec = settingSpec(k);
    if (s[k] === null || (spec.higress === undefined && s[k] === spec.default)) continue;
    out[documentKeyOf(k)] = s[k];
  }
  return out;
}

export async function readSettings(ctx: StoreContext): Promise<Settings> {
  const e = await ctx.db.em.findOneOrFail(SettingsEntity, { where: { id: 1 } });
  return settingsOf(e);
}

/** Writes a complete, already validated settings object (inside a write transaction). */
export async function writeSettings(ctx: StoreContext, s: Settings): Promise<void> {
  await ctx.db.em.update(SettingsEntity, { id: 1 }, { ...s });
}

export function getSettings(ctx: StoreContext): Promise<Settings> {
  return ctx.db.exclusive(() => readSettings(ctx));
}

/** PATCH semantics: any subset; `global_auth: null` unsets; unknown keys are refused. */
export async function patchSettings(ctx: StoreContext, patch: Partial<Settings>): Promise<Settings> {
  const entries = Object.entries(patch ?? {}).filter(([, v]) => v !== undefined);
  for (const [k, v] of entries) {
    const [problem] = checkSettings({ [k]: v });
    if (problem) invalid(k, problem);
  }
  return change(ctx, async () => {
    const next = { ...(await readSettings(ctx)), ...Object.fromEntries(entries) } as Settings;
    await writeSettings(ctx, next);
    await syncSigningKeys(ctx, next.signing_alg);
    return next;
  });
}
