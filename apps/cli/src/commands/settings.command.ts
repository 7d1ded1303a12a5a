import { Command } from 'commander';
import { SETTING_KEYS } from '@oauth2/core';
import { parseSettingAssignments } from '../args';
import type { Context } from '../context';
import { UsageError } from '../errors';
import { settingsTable } from '../output/views';

/** `oauth2ctl settings get|set` (SPEC §1, §6). */
export function settingsCommand(ctx: Context): Command {
  const cmd = new Command('settings').description('show or change instance settings');

  cmd
    .command('get [key]')
    .description(`show every setting, or one (keys: ${SETTING_KEYS.join(', ')})`)
    .action(async (key: string | undefined) => {
      if (key !== undefined && !(SETTING_KEYS as readonly string[]).includes(key)) throw new UsageError(`unknown setting "${key}"; one of: ${SETTING_KEYS.join(', ')}`);
      const all = await ctx.client().getSettings();
      ctx.render(key === undefined ? all : { [key]: all[key] }, settingsTable);
    });

  cmd
    .command('set <assignments...>')
    .description(`change settings: key=value ... (keys: ${SETTING_KEYS.join(', ')}; global_auth=unset clears it)`)
    .action(async (assignments: string[]) => {
      const patch = parseSettingAssignments(assignments);
      ctx.render(await ctx.client().patchSettings(patch), settingsTable);
    });

  return cmd;
}
