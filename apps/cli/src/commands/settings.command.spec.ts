import { SETTING_KEYS, settingSpec, settingValueText } from '@oauth2/core';
import type { CliIO } from '../context';
import { run } from '../main';

// `settings set --help` is derived from core's settings schema: every key with its help line,
// its values and its default, so a new setting documents itself.
async function help(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), readStdin: async () => '', env: {}, cwd: process.cwd() };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

describe('oauth2ctl settings set --help', () => {
  it('lists every schema key with its values, default and help', async () => {
    const r = await help(['settings', 'set', '--help']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const listed = [...r.stdout.matchAll(/^ {2}(\w+) {2,}(.+); default (.+)\n {3,}(.+)$/gm)].map((m) => m.slice(1));
    expect(listed.map(([key]) => key)).toEqual([...SETTING_KEYS]);
    for (const [key, , dflt, text] of listed) {
      const s = settingSpec(key)!;
      expect([key, dflt, text]).toEqual([key, settingValueText(s.default), s.help]);
    }
  });
});
