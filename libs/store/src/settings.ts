import { checkSettings, type Settings } from '@oauth2/core';
import { change, type StoreContext } from './context';
import { SettingsEntity } from './entities';
import { invalid } from './errors';
import { syncSigningKeys } from './signing-keys';

export function settingsOf(e: SettingsEntity): Settings {
  return {
    issuer: e.issuer,
    auth_path: e.auth_path,
    global_credentials: e.global_credentials,
    auth_header_name: e.auth_header_name,
    token_ttl: e.token_ttl,
    clock_skew_seconds: e.clock_skew_seconds,
    keep_token: e.keep_token,
    global_auth: e.global_auth ?? null,
    signing_alg: e.signing_alg ?? 'HS256',
    public_base_url: e.public_base_url ?? '',
  };
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
