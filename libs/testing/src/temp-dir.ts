// Owner: admin-api engineer. Temporary data directories for tests.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TempDir {
  path: string;
  /** Removes the directory and everything in it; safe to call twice. */
  cleanup(): void;
}

/** A fresh private directory under the OS temp dir, e.g. `makeTempDir('admin-')`. */
export function makeTempDir(prefix = 'oauth2-test-'): TempDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { path: dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
