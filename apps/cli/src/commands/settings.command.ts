import { Command } from 'commander';
import { SETTING_KEYS, settingRule, settingSpec, settingValueText, type SettingKey } from '@oauth2/core';
import { parseSettingAssignments } from '../args';
import type { Context } from '../context';
import { UsageError } from '../errors';
import { settingsTable } from '../output/views';

/** `settings set --help`: every setting of core's schema, with its values, default and help line. */
export function settingsHelp(): string {
  const width = Math.max(...SETTING_KEYS.map((k) => k.length)) + 2;
  const rows = SETTING_KEYS.map((k) => {
    const s = settingSpec(k);
    return `  ${k.padEnd(width)}${settingRule(s)}; default ${settingValueText(s.default)}\n  ${' '.repeat(width)}${s.help}`;
  });
  return `\nSettings (key=value; key=unset clears one that can be unset):\n${rows.join('\n')}\n`;
}

/** `oauth2ctl settings get|set` (docs/cli.md; the settings themselves: core's settings schema). */
export function settingsCommand(ctx: Context): Command {
  const cmd = new Command('settings').description('show or change instance settings');

  cmd
    .command('get [key]')
    .description(`show every setting, or one (keys: ${SETTING_KEYS.join(', ')})`)
    .action(async (key: string | undefined) => {
      if (key !== undefined && !(SETTING_KEYS as readonly string[]).includes(key)) throw new UsageError(`unknown setting "${key}"; one of: ${SETTING_KEYS.join(', ')}`);
      const all = await ctx.client().getSettings();
      ctx.render(key === undefined ? all : { [key]: all[key as SettingKey] }, settingsTable);
    });

  cmd
    .command('set <assignments...>')
    .description('change settings: key=value ... (the settings are listed below)')
    .addHelpText('after', settingsHelp())
    .action(async (assignments: string[]) => {
      const patch = parseSettingAssignments(assignments);
      ctx.render(await ctx.client().patchSettings(patch), settingsTable);
    });

  return cmd;
}
