import { Command } from 'commander';
import { SETTING_KEYS } from '@oauth2/core';
import { parseSettingAssignments } from '../args';
import type { Context } from '../context';
import { settingsTable } from '../output/views';

/** `oauth2ctl settings get|set` (SPEC §1, §6). */
export function settingsCommand(ctx: Context): Command {
  const cmd = new Command('settings').description('show or change instance settings');

  cmd
    .command('get')
    .description('show every setting')
    .action(async () => {
      ctx.render(await ctx.client().getSettings(), settingsTable);
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
