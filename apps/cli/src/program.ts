import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { allowCommand } from './commands/allow.command';
import { applyCommand } from './commands/apply.command';
import { consumerCommand } from './commands/consumer.command';
import { explainCommand } from './commands/explain.command';
import { exportCommand } from './commands/export.command';
import { keysCommand } from './commands/keys.command';
import { routeCommand } from './commands/route.command';
import { settingsCommand } from './commands/settings.command';
import { statusCommand } from './commands/status.command';
import { tokenCommand } from './commands/token.command';
import { positiveInt } from './args';
import { Context, DEFAULT_SERVER, type CliIO } from './context';
import { UsageError } from './errors';

/** Walks the tree: addCommand() does not copy inherited settings the way command() does. */
function forEachCommand(cmd: Command, fn: (c: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) forEachCommand(sub, fn);
}

/** A noun without a verb (`oauth2ctl consumer`, `oauth2ctl consumer bogus`): one line naming the verbs. */
function missingVerb(this: Command): never {
  const names = (c: Command | null): string[] => (c ? [...names(c.parent), c.name()] : []);
  const path = names(this);
  const verbs = this.commands.map((c) => c.name()).filter((n) => n !== 'help');
  const what = this.args.length ? `unknown command '${this.args[0]}' for '${path.join(' ')}'` : `'${path.join(' ')}' needs a command`;
  throw new UsageError(`${what}; one of: ${verbs.join(', ')} (see --help)`);
}

/** Assembles oauth2ctl. Commander never exits or prints errors itself: the run() funnel does both. */
export function buildProgram(io: CliIO): { program: Command; ctx: Context } {
  const program = new Command('oauth2ctl');
  const ctx = new Context(program, io);
  program
    .description('command-line client of the oauth2-gateway admin API')
    .version(readVersion(), '-V, --version')
    .option('--server <url>', `admin API base URL (env OAUTH2_SERVER, default ${DEFAULT_SERVER})`)
    .option('--token <token>', 'admin token (env OAUTH2_ADMIN_TOKEN, else <OAUTH2_DATA_DIR or ./data>/admin.token)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--timeout <seconds>', 'give up on the admin API after this long (exit 5)', positiveInt, 30)
    .addCommand(consumerCommand(ctx))
    .addCommand(routeCommand(ctx))
    .addCommand(allowCommand(ctx))
    .addCommand(settingsCommand(ctx))
    .addCommand(applyCommand(ctx))
    .addCommand(exportCommand(ctx))
    .addCommand(statusCommand(ctx))
    .addCommand(explainCommand(ctx))
    .addCommand(keysCommand(ctx))
    .addCommand(tokenCommand(ctx));

  forEachCommand(program, (c) => {
    // An action on a noun turns off commander's implicit `help` verb: ask for it explicitly.
    if (c.commands.length) c.helpCommand(true).allowExcessArguments().action(missingVerb);
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
