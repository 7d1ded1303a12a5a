import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { SETTING_KEYS, SETTINGS_SCHEMA, settingSpec } from '@oauth2/core';
import { PatchSettingsDto } from './settings.dto';

// PatchSettingsDto has no hand-written properties: the admin API's pipe must still know every
// schema key (whitelist) and check each with core's rule.
const pipe = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: true });
const patch = (body: unknown) => pipe.transform(body, { type: 'body', metatype: PatchSettingsDto });
const refusal = async (body: unknown): Promise<string[]> => {
  try {
    await patch(body);
  } catch (e) {
    expect(e).toBeInstanceOf(BadRequestException);
    return ((e as BadRequestException).getResponse() as { message: string[] }).message;
  }
  throw new Error('expected a refusal');
};

describe('PatchSettingsDto (derived from the settings schema)', () => {
  it.each(SETTING_KEYS)('takes %s alone, and its example', async (key) => {
    expect({ ...(await patch({ [key]: SETTINGS_SCHEMA[key].example })) }).toEqual({ [key]: SETTINGS_SCHEMA[key].example });
  });

  it('takes every key at once', async () => {
    const all = Object.fromEntries(SETTING_KEYS.map((k) => [k, SETTINGS_SCHEMA[k].example]));
    expect({ ...(await patch(all)) }).toEqual(all);
  });

  it.each(SETTING_KEYS)("refuses a wrong type for %s with core's message", async (key) => {
    const wrong = SETTINGS_SCHEMA[key].type === 'string' || SETTINGS_SCHEMA[key].type === 'enum' ? 12 : 'twelve';
    expect(await refusal({ [key]: wrong })).toEqual([expect.stringMatching(new RegExp(`^${key} must be `))]);
  });

  it('takes null only for a nullable setting', async () => {
    for (const key of SETTING_KEYS) {
      if (settingSpec(key).nullable) expect({ ...(await patch({ [key]: null })) }).toEqual({ [key]: null });
      else expect(await refusal({ [key]: null })).toHaveLength(1);
    }
  });

  it('refuses a key that is not a setting (auth_header is an apply-only alias)', async () => {
    expect(await refusal({ colour: 'blue' })).toEqual(['property colour should not exist']);
    expect(await refusal({ auth_header: 'X-Token' })).toEqual(['property auth_header should not exist']);
  });
});
