import type { PatchSettingsDto, SettingsDto } from '@oauth2/contracts';
import { SETTING_KEYS, type Settings } from '@oauth2/core';

export function toSettings(s: Settings): SettingsDto {
  return {
    issuer: s.issuer,
    auth_path: s.auth_path,
    global_credentials: s.global_credentials,
    auth_header_name: s.auth_header_name,
    token_ttl: s.token_ttl,
    clock_skew_seconds: s.clock_skew_seconds,
    keep_token: s.keep_token,
    global_auth: s.global_auth,
    signing_alg: s.signing_alg,
    public_base_url: s.public_base_url,
  };
}

/** Only the keys present in the request (undefined = untouched; null global_auth = unset). */
export function settingsPatch(b: PatchSettingsDto): Partial<Settings> {
  const out: Record<string, unknown> = {};
  for (const k of SETTING_KEYS) if ((b as Record<string, unknown>)[k] !== undefined) out[k] = (b as Record<string, unknown>)[k];
  return out as Partial<Settings>;
}
