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

/** For one test file (or describe block): each call makes a fresh temp dir; all are removed in afterAll. */
export function tempDirsForFile(prefix = 'oauth2-test-'): () => string {
  const made: TempDir[] = [];
  afterAll(() => made.forEach((d) => d.cleanup()));
  return () => {
    const d = makeTempDir(prefix);
    made.push(d);
    return d.path;
  };
}
