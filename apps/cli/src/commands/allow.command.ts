import { Command } from 'commander';
import { collect, nonNegativeInt, positiveInt, ruleId } from '../args';
import type { Context } from '../context';
import { UsageError } from '../errors';
import { deleteView, rulesTable, ruleView } from '../output/views';

interface AddOptions {
  route?: string[];
  domain?: string[];
  consumer: string[];
  position?: number;
}

/** `oauth2ctl allow add|list|get|remove`: allow-list rules (SPEC §2, §6). */
export function allowCommand(ctx: Context): Command {
  const cmd = new Command('allow').description('manage allow-list rules (which consumers may use a route or domain)');

  cmd
    .command('add')
    .description('add a rule: requests on these routes (or domains) are allowed to these consumers only')
    .option('--route <name>', 'route name; repeat for more', collect)
    .option('--domain <pattern>', 'exact host or *.suffix; repeat for more', collect)
    .requiredOption('--consumer <name>', 'allowed consumer; repeat for more', collect)
    .option('--position <n>', 'evaluation position (first matching rule wins; default: last)', nonNegativeInt)
    .action(async (o: AddOptions) => {
      // A rule matches by routes OR by domains, never both (SPEC §2).
      if (!!o.route === !!o.domain) throw new UsageError('give exactly one of --route or --domain');
      const input = { ...(o.route ? { routes: o.route } : { domains: o.domain }), allow: o.consumer, position: o.position };
      ctx.render(await ctx.client().addRule(input), ruleView);
    });

  cmd
    .command('list')
    .description('list rules in evaluation order')
    .option('--limit <n>', 'page size (max 10000)', positiveInt)
    .option('--offset <n>', 'skip this many', nonNegativeInt)
    .action(async (o: { limit?: number; offset?: number }) => {
      const page = await ctx.client().listRules(o);
      ctx.render(page, (p) => rulesTable(p, o.offset));
    });

  cmd
    .command('get <id>')
    .description('show one rule')
    .action(async (id: string) => {
      ctx.render(await ctx.client().getRule(ruleId(id)), ruleView);
    });

  cmd
    .command('remove <id>')
    .alias('rm')
    .description('delete a rule')
    .action(async (id: string) => {
      const result = await ctx.client().removeRule(ruleId(id));
      ctx.render(result, (d) => deleteView('rule', d));
    });

  return cmd;
}
