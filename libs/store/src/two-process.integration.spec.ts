import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore } from './index';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * A child process that opens the store from the TypeScript sources (transpiled on require, with the
 * @oauth2/* aliases resolved) and writes `n` consumers at once: a real second process on the same
 * SQLite file and master.key, as when the admin API and the gateway start together.
 */
const CHILD = `
const ts = require(${JSON.stringify(require.resolve('typescript'))});
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const root = ${JSON.stringify(ROOT)};
require.extensions['.ts'] = (m, file) => {
  const out = ts.transpileModule(fs.readFileSync(file, 'utf8'), { fileName: file, compilerOptions: {
    module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true,
    experimentalDecorators: true, emitDecoratorMetadata: true } });
  m._compile(out.outputText, file);
};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (req, ...rest) {
  const alias = /^@oauth2\\/(\\w+)$/.exec(req);
  return resolve.call(this, alias ? path.join(root, 'libs', alias[1], 'src', 'index.ts') : req, ...rest);
};
const { openStore } = require(path.join(root, 'libs/store/src/index.ts'));
const [dataDir, tag, n] = process.argv.slice(1);
(async () => {
  const store = await openStore({ dataDir });
  await Promise.all(Array.from({ length: Number(n) }, (_, i) => store.createConsumer({ name: tag + '-' + i })));
  await store.close();
})().catch((err) => { console.error(err.message); process.exit(1); });
`;

function runChild(dataDir: string, tag: string, n: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD, dataDir, tag, String(n)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

it('two processes starting together on a fresh data dir both migrate, share master.key and land every write', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth2-2proc-'));
  try {
    const results = await Promise.all([runChild(dir, 'a', 25), runChild(dir, 'b', 25)]);
    expect(results).toEqual([
      { code: 0, stderr: '' },
      { code: 0, stderr: '' },
    ]);
    const store = await openStore({ dataDir: dir });
    try {
      const src = await store.loadSnapshotSource();
      expect(src.consumers).toHaveLength(50); // every secret decrypts: one shared master key
      expect(src.revision).toBe(1 + 50); // revision 1 after migration, one bump per write
      expect(fs.readdirSync(dir).sort()).toEqual(expect.arrayContaining(['master.key', 'oauth2.db']));
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      await store.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
