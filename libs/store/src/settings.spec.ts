import Database from 'better-sqlite3';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, documentKeyOf, SETTING_KEYS, SETTINGS_SCHEMA, settingSpec, type Settings } from '@oauth2/core';
import { storePerTest } from '@oauth2/testing';
import { openStore } from './index';

// The store's side of core's SETTINGS_SCHEMA (a real SQLite file, migrations applied): the columns,
// PATCH, reopen, export and apply all follow the schema, so a schema entry without its migration,
// or a mapping that forgot a key, fails here.
const EXAMPLES = Object.fromEntries(SETTING_KEYS.map((k) => [k, SETTINGS_SCHEMA[k].example])) as Settings;

describe('settings in the store, by the schema', () => {
  const ctx = storePerTest('oauth2-settings-', (dataDir) => openStore({ dataDir }));

  it('the migrated settings row has one column per schema key (a new setting needs its migration)', () => {
    const db = new Database(join(ctx.dir, 'oauth2.db'), { readonly: true });
    try {
      const columns = (db.prepare(`SELECT name, "notnull" FROM pragma_table_info('settings')`).all() as { name: string; notnull: number }[]).filter((c) => c.name !== 'id');
      expect(columns.map((c) => c.name).sort()).toEqual([...SETTING_KEYS].sort());
      for (const c of columns) expect([c.name, c.notnull === 0]).toEqual([c.name, settingSpec(c.name)!.nullable === true]);
    } finally {
      db.close();
    }
  });

  it('keeps every key through PATCH and a reopen', async () => {
    expect(await ctx.store.getSettings()).toEqual(DEFAULT_SETTINGS);
    expect(await ctx.store.patchSettings(EXAMPLES)).toEqual(EXAMPLES);
    await ctx.store.close();
    ctx.store = await openStore({ dataDir: ctx.dir });
    expect(await ctx.store.getSettings()).toEqual(EXAMPLES);
    expect((await ctx.store.loadSnapshotSource()).settings).toEqual(EXAMPLES);
  });

  it('exports every key under its document key, and apply takes the export back', async () => {
    await ctx.store.patchSettings(EXAMPLES);
    const doc = (await ctx.store.exportConfig({ redact: false })) as { spec: { defaultConfig: Record<string, unknown> } };
    const { consumers, ...exported } = doc.spec.defaultConfig;
    expect(consumers).toEqual([]);
    expect(exported).toEqual(Object.fromEntries(SETTING_KEYS.map((k) => [documentKeyOf(k), EXAMPLES[k]])));
    await ctx.store.patchSettings(DEFAULT_SETTINGS);
    await ctx.store.apply(JSON.stringify(doc), { dryRun: false });
    expect(await ctx.store.getSettings()).toEqual(EXAMPLES);
  });

  it('a default export holds only Higress keys: unset ones and ours at their default are left out', async () => {
    const doc = (await ctx.store.exportConfig({ redact: false })) as { spec: { defaultConfig: Record<string, unknown> } };
    const expected = SETTING_KEYS.filter((k) => settingSpec(k).higress !== undefined && DEFAULT_SETTINGS[k] !== null).map((k) => settingSpec(k).higress);
    expect(Object.keys(doc.spec.defaultConfig)).toEqual([...expected, 'consumers']);
  });

  it.each(SETTING_KEYS.flatMap((k) => Object.entries(settingSpec(k).aliases ?? {}).map(([alias]) => [alias, k] as const)))('apply takes the alias %s for %s', async (alias, key) => {
    await ctx.store.apply(JSON.stringify({ [alias]: EXAMPLES[key] }), { dryRun: false });
    expect((await ctx.store.getSettings())[key]).toEqual(EXAMPLES[key]);
  });
});
