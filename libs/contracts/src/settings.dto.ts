import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { ValidateIf } from 'class-validator';
import { SETTING_KEYS, settingSpec, type SettingKey, type Settings } from '@oauth2/core';
import { IsSetting } from './validators';

/**
 * The settings DTOs have no hand-written properties: each key of core's SETTINGS_SCHEMA gets its
 * OpenAPI metadata and its validation below, so a new setting appears here without an edit.
 */

/** A base class whose instances are typed as `T`; the properties are declared by the decorators below. */
const shapedAs = <T>() => class {} as new () => T;

/** SettingsDto, as returned by GET and PATCH /v1/settings: every key. */
export class SettingsDto extends shapedAs<Settings>() {}

/**
 * PATCH /v1/settings: any subset. Each key is checked by core's `checkSetting`, so `null` is refused
 * everywhere except on a nullable setting (global_auth), where it means "unset".
 */
export class PatchSettingsDto extends shapedAs<Partial<Settings>>() {}

/** OpenAPI metadata of one setting, from its schema entry. */
export function settingApiProperty(key: SettingKey): ApiPropertyOptions {
  const s = settingSpec(key);
  const common = { description: s.help, example: s.example, ...(s.nullable ? { nullable: true } : {}) };
  switch (s.type) {
    case 'string':
      return { ...common, type: String, minLength: s.minLength, maxLength: s.maxLength, pattern: s.pattern?.source };
    case 'integer':
      return { ...common, type: 'integer', minimum: s.min, maximum: s.max };
    case 'boolean':
      return { ...common, type: Boolean };
    case 'enum':
      return { ...common, type: String, enum: [...s.values] };
  }
}

const present = (key: string) => (o: Record<string, unknown>) => o[key] !== undefined;

for (const key of SETTING_KEYS) {
  const meta = settingApiProperty(key);
  const d = settingSpec(key).default;
  ApiProperty(d === null ? meta : { ...meta, default: d })(SettingsDto.prototype, key);
  ApiPropertyOptional(meta)(PatchSettingsDto.prototype, key);
  ValidateIf(present(key))(PatchSettingsDto.prototype, key);
  IsSetting()(PatchSettingsDto.prototype, key);
}
