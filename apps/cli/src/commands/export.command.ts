import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Command } from 'commander';
import type { Context } from '../context';
import { CliError } from '../errors';
import { ExitCode } from '../exit-codes';

/**
 * Writes the export with mode 0600 — it holds every client secret. The text goes to a new temp
 * file in the target's directory, created 0600 and exclusively (`wx`: never an existing file or
 * a planted symlink), then renamed over the target. So no moment exists where the secrets sit in
 * a file with wider permissions (opening an existing file and fchmod-ing it left that window),
 * and a reader sees the old file or the whole new one, never half.
 */
export function writeSecretFile(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o600);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already renamed
    }
    throw new CliError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, ExitCode.FAILURE);
  }
}

/** `oauth2ctl export [-f FILE] [--redact]`: the whole config as a WasmPlugin document (docs/admin-api.md). */
export function exportCommand(ctx: Context): Command {
  return new Command('export')
    .description('print the config as a Higress WasmPlugin document (YAML; JSON with -o json or a .json file); includes secrets unless --redact')
    .option('-f, --file <file>', 'write to this file (mode 0600) instead of standard output')
    .option('--redact', 'mask client secrets')
    .action(async (o: { file?: string; redact?: boolean }) => {
      const toFile = o.file !== undefined && o.file !== '-';
      const asJson = ctx.json || (toFile && o.file!.toLowerCase().endsWith('.json'));
      const doc = await ctx.client().export(asJson ? 'json' : 'yaml', !!o.redact);
      let text = typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2);
      if (!text.endsWith('\n')) text += '\n';
      if (!toFile) return ctx.print(text);
      const path = resolve(ctx.io.cwd, o.file!);
      writeSecretFile(path, text);
      // In json mode stdout stays machine-readable: say nothing there.
      if (!ctx.json) ctx.print(`wrote ${o.file}${o.redact ? ' (secrets redacted)' : ' (contains client secrets; mode 0600)'}`);
    });
}
