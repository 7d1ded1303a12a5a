// The import boundaries of eslint.config.js, tried on sample files: a forbidden import must fail
// `npm run lint` (which `npm test` runs), an allowed one must not.
// The real eslint binary (its config loader needs ESM, which jest's VM cannot load in-process).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
async function errors(file: string, code: string): Promise<string[]> {
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/eslint/bin/eslint.js'), '--stdin', '--stdin-filename', file, '-f', 'json'], { cwd: root, input: code, encoding: 'utf8' });
  const [report] = JSON.parse(r.stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
  return report.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('layering (eslint import boundaries)', () => {
  it.each<[string, string, RegExp]>([
    ['libs/core/src/x.ts', "import { DataSource } from 'typeorm';\nexport const x = DataSource;\n", /libs\/core is pure/],
    ['libs/core/src/x.ts', "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n", /libs\/core is pure/],
    ['libs/core/src/x.ts', "import { verifyAccessToken } from '@oauth2/token';\nexport const x = verifyAccessToken;\n", /imports no other lib/],
    ['libs/token/src/x.ts', "import { FAILURES } from '@oauth2/core';\nexport const x = FAILURES;\n", /only types from @oauth2\/core/],
    ['libs/token/src/x.ts', "import { openStore } from '@oauth2/store';\nexport const x = openStore;\n", /no other lib/],
    ['libs/store/src/x.ts', "import { DataPlane } from '../../../apps/gateway/src/data-plane';\nexport const x = DataPlane;\n", /libs never import apps/],
    ['apps/cli/src/x.ts', "import { openStore } from '@oauth2/store';\nexport const x = openStore;\n", /oauth2ctl talks to the admin API only/],
    ['apps/gateway/src/x.ts', "import { AppModule } from '../../admin-api/src/app.module';\nexport const x = AppModule;\n", /apps never import each other/],
    ['apps/admin-api/src/x.ts', "import { DataPlane } from '../../gateway/src/data-plane';\nexport const x = DataPlane;\n", /apps never import each other/],
  ])('%s: refused (%s)', async (file, code, why) => {
    expect(await errors(file, code)).toEqual([expect.stringMatching(why)]);
  });

  it.each<[string, string]>([
    ['libs/token/src/x.ts', "import type { Snapshot } from '@oauth2/core';\nexport type X = Snapshot;\n"],
    ['libs/core/src/x.spec.ts', "import { verifyAccessToken } from '@oauth2/token';\nexport const x = verifyAccessToken;\n"],
    ['apps/gateway/src/x.ts', "import { authorizeRequest } from '@oauth2/core';\nexport const x = authorizeRequest;\n"],
  ])('%s: allowed', async (file, code) => {
    expect(await errors(file, code)).toEqual([]);
  });
});
