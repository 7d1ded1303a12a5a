import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Creates `file` with `content` (mode 0600) unless it exists, and returns what the file holds.
 * The content is written to a private temp file first and then hard-linked into place: link(2)
 * is atomic and fails with EEXIST, so when two processes start together exactly one wins and the
 * other reads the winner's complete file (never a half-written one).
 */
export function createOnce(file: string, content: string | Buffer): Buffer {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.chmodSync(tmp, 0o600);
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return fs.readFileSync(file);
}

/**
 * The admin token: `envToken` (OAUTH2_ADMIN_TOKEN) when set, else `<dataDir>/admin.token`, created
 * 0600 on first start with 32 random bytes (base64url). Safe when several processes start at once.
 */
export function ensureAdminToken(dataDir: string, envToken?: string): string {
  if (envToken !== undefined && envToken.trim() !== '') return envToken.trim();
  const file = path.join(dataDir, 'admin.token');
  const token = createOnce(file, randomBytes(32).toString('base64url') + '\n')
    .toString('utf8')
    .trim();
  if (token === '') throw new Error(`admin token file ${file} is empty; delete it or set OAUTH2_ADMIN_TOKEN`);
  return token;
}

/** Creates the SQLite file 0600 before SQLite does, so its -wal/-shm files inherit that mode. */
export function prepareDatabaseFile(database: string): void {
  fs.mkdirSync(path.dirname(database), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(database, 'a', 0o600));
  fs.chmodSync(database, 0o600);
}

/** SQLite gives -wal/-shm the main file's mode; this makes sure even if they predate us. */
export function tightenDatabaseFiles(database: string): void {
  for (const f of [database, `${database}-wal`, `${database}-shm`]) {
    try {
      fs.chmodSync(f, 0o600);
    } catch {
      /* absent (not yet created) or not ours: nothing to tighten */
    }
  }
}
