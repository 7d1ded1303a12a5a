import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { adminTokenCommand } from './commands/admin-token.command';
import { allowCommand } from './commands/allow.command';
import { applyCommand } from './commands/apply.command';
import { addAuditCommand } from './commands/audit.command';
import { consumerCommand } from './commands/consumer.command';
import { explainCommand } from './commands/explain.command';
import { exportCommand } from './commands/export.command';
import { keysCommand } from './commands/keys.command';
import { routeCommand } from './commands/route.command';
import { settingsCommand } from './commands/settings.command';
import { statusCommand } from './commands/status.command';
import { tokenCommand } from './commands/token.command';
import { timeoutSeconds } from './args';
import { Context, DEFAULT_SERVER, type CliIO } from './context';
import { UsageError } from './errors';

/** Walks the tree: addCommand() does not copy inherited settings the way command() does. */
function forEachCommand(cmd: Command, fn: (c: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) forEachCommand(sub, fn);
}

function commandPath(cmd: Command): string {
  const names = (c: Command | null): string[] => (c ? [...names(c.parent), c.name()] : []);
  return names(cmd).join(' ');
}

/**
 * A noun without a verb (`oauth2ctl consumer`, `oauth2ctl route update r --upstream x` before
 * `update` existed): one line naming the verbs. Nouns accept unknown options, so a wrong verb
 * followed by options is reported as the wrong verb, not as its first option.
 */
function missingVerb(this: Command): never {
  const verbs = this.commands.map((c) => c.name()).filter((n) => n !== 'help');
  const first = this.args.find((a) => !a.startsWith('-'));
  const stray = this.args.find((a) => a.startsWith('-'));
  const what =
    first !== undefined && !verbs.includes(first)
      ? `unknown command '${first}' for '${commandPath(this)}'`
      : stray !== undefined
        ? `unknown option '${stray}' for '${commandPath(this)}'`
        : `'${commandPath(this)}' needs a command`;
  throw new UsageError(`${what}; one of: ${verbs.join(', ')} (see --help)`);
}

/** Edit distance, for "did you mean" on a mistyped option. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The closest long option to a mistyped one, the command's own options first (`consumer add
 * --secret` means `--client-secret`, not the global `--server`): an own option containing the
 * word, else the nearest own option, else the nearest global one.
 */
export function suggestOption(cmd: Command, flag: string): string | undefined {
  const word = flag.replace(/^-+/, '').split('=')[0].toLowerCase();
  if (!word) return undefined;
  const longs = (c: Command) => c.options.map((o) => o.long).filter((l): l is string => !!l && l !== '--help' && l !== '--version');
  const near = (cands: string[]) => {
    let best: string | undefined;
    let bestD = Infinity;
    for (const c of cands) {
      const d = distance(word, c.slice(2));
      if (d < bestD) [best, bestD] = [c, d];
    }
    return best !== undefined && bestD <= Math.max(1, Math.floor(word.length * 0.4)) ? best : undefined;
  };
  const own = longs(cmd);
  const contains = own.filter((l) => l.slice(2).split('-').includes(word) || (word.length >= 4 && l.includes(word)));
  if (contains.length === 1) return contains[0];
  const globals: string[] = [];
  for (let c = cmd.parent; c; c = c.parent) globals.push(...longs(c));
  return near(own) ?? near(globals);
}

function unknownOption(cmd: Command, flag: string): never {
  const hint = suggestOption(cmd, flag);
  throw new UsageError(`unknown option '${flag}' for '${commandPath(cmd)}'${hint ? ` (did you mean ${hint}?)` : ''} (see ${commandPath(cmd)} --help)`);
}

/** Assembles oauth2ctl. Commander never exits or prints errors itself: the run() funnel does both. */
export function buildProgram(io: CliIO): { program: Command; ctx: Context } {
  const program = new Command('oauth2ctl');
  const ctx = new Context(program, io);
  program
    .description('command-line client of the oauth2-gateway admin API')
    .version(readVersion(), '-V, --version')
    .option('--server <url>', `admin API base URL (env OAUTH2_SERVER, default ${DEFAULT_SERVER})`)
    .option(
      '--token <token>',
      'admin token; visible to other users in ps and kept in shell history, so prefer env OAUTH2_ADMIN_TOKEN or the token file (default: <OAUTH2_DATA_DIR or ./data>/admin.token)',
    )
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--ca <file>', 'PEM CA bundle to trust for an https:// --server with a private CA (env OAUTH2_CA_FILE)')
    .option('--timeout <seconds>', 'give up on the admin API after this many seconds (exit 5)', timeoutSeconds, 30)
    .addCommand(consumerCommand(ctx))
    .addCommand(routeCommand(ctx))
    .addCommand(allowCommand(ctx))
    .addCommand(settingsCommand(ctx))
    .addCommand(applyCommand(ctx))
    .addCommand(exportCommand(ctx))
    .addCommand(statusCommand(ctx))
    .addCommand(explainCommand(ctx))
    .addCommand(keysCommand(ctx))
    .addCommand(tokenCommand(ctx))
    .addCommand(adminTokenCommand(ctx));
  addAuditCommand(program, ctx);

  forEachCommand(program, (c) => {
    // An action on a noun turns off commander's implicit `help` verb: ask for it explicitly.
    if (c.commands.length) c.helpCommand(true).allowExcessArguments().action(missingVerb);
    // A noun (not the program itself) takes unknown options so missingVerb can name the wrong verb.
    if (c.commands.length && c.parent) c.allowUnknownOption();
    // Commander's own "did you mean" looks at global options as much as the command's.
    (c as unknown as { unknownOption(flag: string): void }).unknownOption = function (this: Command, flag: string) {
      if ((this as unknown as { _allowUnknownOption: boolean })._allowUnknownOption) return;
      unknownOption(this, flag);
    };
    c.exitOverride();
    c.configureOutput({
      writeOut: (s) => io.stdout(s),
      // Help asked for by mistake (missing verb) and usage errors are reported by the funnel as one line.
      writeErr: () => undefined,
      outputError: () => undefined,
    });
  });
  return { program, ctx };
}

function readVersion(): string {
  // Source runs from apps/cli/src, the build from dist/apps/cli/src: try both roots.
  for (const rel of ['../../../package.json', '../../../../package.json']) {
    try {
      const pkg = require(resolve(__dirname, rel)) as { name?: string; version?: string };
      if (pkg.name === 'oauth2-gateway' && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return '0.0.0';
}
