import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTING_KEYS, SETTINGS_SCHEMA, settingValueText } from './settings';

/** docs/configuration.md is the settings reference: one table row per SETTINGS_SCHEMA entry. */
describe('docs/configuration.md', () => {
  const doc = readFileSync(join(__dirname, '../../../docs/configuration.md'), 'utf8');
  const rowOf = (key: string): string | undefined => doc.split('\n').find((line) => line.startsWith(`| \`${key}\` |`));

  it.each(SETTING_KEYS)('has a settings row for %s with its type and default', (key) => {
    const row = rowOf(key);
    expect(row).toBeDefined();
    const spec = SETTINGS_SCHEMA[key];
    const cells = row!.split('|').map((c) => c.trim());
    expect(cells[2]).toContain(spec.type);
    const def = spec.default === null ? 'unset' : settingValueText(spec.default);
    expect(cells[3]).toContain(def === '""' ? '`""`' : def === 'unset' ? 'unset' : `\`${def}\``);
    if ('higress' in spec) expect(cells[5]).toContain(`\`${spec.higress}\``);
    else expect(cells[5]).toMatch(/^none/);
  });

  it('lists no setting the schema does not have', () => {
    const table = doc.slice(doc.indexOf('## Settings'), doc.indexOf('## Environment variables'));
    const documented = [...table.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented).toEqual([...SETTING_KEYS]);
  });
});
