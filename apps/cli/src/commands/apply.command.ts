import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { contentTypeFor } from '../args';
import type { Context } from '../context';
import { UsageError } from '../errors';
import { applyView } from '../output/views';

/** Reads `-f FILE` (or stdin for `-f -`); an unreadable file is a usage error, not a crash. */
export async function readInput(ctx: Context, file: string): Promise<string> {
  if (file === '-') return ctx.io.readStdin();
  try {
    return readFileSync(resolve(ctx.io.cwd, file), 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** `oauth2ctl apply -f FILE [--dry-run]`: declarative replace of settings, consumers and rules (docs/admin-api.md). */
export function applyCommand(ctx: Context): Command {
  return new Command('apply')
    .description('replace settings, consumers and rules with a Higress WasmPlugin or plugin-config document (YAML or JSON)')
    .requiredOption('-f, --file <file>', 'document to apply; "-" reads standard input')
    .option('--dry-run', 'validate only; change nothing')
    .action(async (o: { file: string; dryRun?: boolean }) => {
      const text = await readInput(ctx, o.file);
      if (!text.trim()) throw new UsageError(`${o.file === '-' ? 'standard input' : o.file} is empty`);
      // Sent raw: the API parses both shapes and both formats, so the CLI does not reinterpret the document.
      const result = await ctx.client().apply(text, contentTypeFor(o.file, text), !!o.dryRun);
      ctx.render(result, (r) => applyView(r, !!o.dryRun));
    });
}
