import type { PatchSettingsDto, SettingsDto } from '@oauth2/contracts';
import { SETTING_KEYS, type Settings } from '@oauth2/core';

/** Exactly the schema's keys, copied one by one, so nothing else a store object carries reaches the wire. */
export function toSettings(s: Settings): SettingsDto {
  const out: Record<string, unknown> = {};
  for (const k of SETTING_KEYS) out[k] = s[k];
  return out as unknown as SettingsDto;
}

/** Only the keys present in the request (undefined = untouched; null global_auth = unset). */
export function settingsPatch(b: PatchSettingsDto): Partial<Settings> {
  const out: Record<string, unknown> = {};
  for (const k of SETTING_KEYS) if ((b as Record<string, unknown>)[k] !== undefined) out[k] = (b as Record<string, unknown>)[k];
  return out as Partial<Settings>;
}
