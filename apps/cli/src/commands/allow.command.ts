import { Command } from 'commander';
import { collect, collectScopes, nonNegativeInt, ruleId } from '../args';
import type { Context } from '../context';
import { addListCommand } from './list';
import { ApiError, UsageError } from '../errors';
import { deleteView, rulesTable, ruleView } from '../output/views';

interface AddOptions {
  route?: string[];
  domain?: string[];
  consumer?: string[];
  group?: string[];
  scope?: string[];
  position?: number;
}

/**
 * `apply` keeps a rule naming a route that does not exist yet (a Higress document names Ingress
 * routes created elsewhere, often later); the native API refuses it, because a rule on no route
 * protects nothing and a typo would stay silent. Say so, and what to do, instead of a bare 400.
 */
function explainUnknownRoute(err: unknown): unknown {
  if (err instanceof ApiError && err.status === 400 && /^routes\[\d+\]/.test(err.field ?? '') && /does not exist/.test(err.message)) {
    return new ApiError(
      err.status,
      `${err.message}: create it first (oauth2ctl route add); unlike apply, which keeps a rule on a route not created yet (a Higress document names Ingress routes made elsewhere), allow add and allow update refuse it, so a mistyped route cannot leave a rule that protects nothing`,
      err.field,
    );
  }
  return err;
}

interface UpdateOptions {
  route?: string[];
  domain?: string[];
  consumer?: string[];
  group?: string[];
  scope?: string[];
  position?: number;
}

/** `oauth2ctl allow add|update|list|get|remove`: allow-list rules (docs/cli.md, docs/admin-api.md). */
export function allowCommand(ctx: Context): Command {
  const cmd = new Command('allow').description('manage allow-list rules (which consumers may use a route or domain)');

  cmd
    .command('add')
    .description('add a rule: requests on these routes (or domains) are allowed to these consumers or groups, holding these scopes')
    .option('--route <name>', 'route name; repeat for more', collect)
    .option('--domain <pattern>', 'exact host or *.suffix; repeat for more', collect)
    .option('--consumer <name>', 'allowed consumer; repeat for more', collect)
    .option('--group <name>', 'allowed group (its members, now and later); repeat for more', collect)
    .option('--scope <scope>', 'required scope (the token must hold it, granted by an operator); repeat for more', collectScopes)
    .option('--position <n>', 'evaluation position (first matching rule wins; default: last)', nonNegativeInt)
    .action(async (o: AddOptions) => {
      // A rule matches by routes OR by domains, never both (the API refuses both, and neither).
      if (!!o.route === !!o.domain) throw new UsageError('give exactly one of --route or --domain');
      if (!o.consumer && !o.group && !o.scope) throw new UsageError('give at least one of --consumer, --group or --scope (a rule with none would allow nobody)');
      const input = {
        ...(o.route ? { routes: o.route } : { domains: o.domain }),
        ...(o.consumer ? { allow: o.consumer } : {}),
        ...(o.group ? { allow_groups: o.group } : {}),
        ...(o.scope ? { scopes: o.scope } : {}),
        position: o.position,
      };
      ctx.render(
        await ctx
          .client()
          .addRule(input)
          .catch((e: unknown) => Promise.reject(explainUnknownRoute(e))),
        ruleView,
      );
    });

  cmd
    .command('update <id>')
    .description('change a rule in place; flags not given keep their current value (--route or --domain replaces what it matches)')
    .option('--route <name>', 'match these routes instead; repeat for more', collect)
    .option('--domain <pattern>', 'match these domains instead; repeat for more', collect)
    .option('--consumer <name>', 'allowed consumers (replaces the list); repeat for more', collect)
    .option('--group <name>', 'allowed groups (replaces the list); repeat for more', collect)
    .option('--scope <scope>', 'required scopes (replaces the list); repeat for more', collectScopes)
    .option('--position <n>', 'evaluation position (first matching rule wins)', nonNegativeInt)
    .action(async (idText: string, o: UpdateOptions) => {
      const id = ruleId(idText);
      if (o.route && o.domain) throw new UsageError('give --route or --domain, not both');
      if (!o.route && !o.domain && !o.consumer && !o.group && !o.scope && o.position === undefined) {
        throw new UsageError('allow update needs at least one of --route, --domain, --consumer, --group, --scope, --position');
      }
      // PUT takes the whole rule: start from the current one.
      const client = ctx.client();
      const cur = await client.getRule(id);
      const match = o.route ? { routes: o.route } : o.domain ? { domains: o.domain } : cur.routes?.length ? { routes: cur.routes } : { domains: cur.domains ?? [] };
      const input = { ...match, allow: o.consumer ?? cur.allow, allow_groups: o.group ?? cur.allow_groups ?? [], scopes: o.scope ?? cur.scopes ?? [], position: o.position ?? cur.position };
      ctx.render(await client.replaceRule(id, input).catch((e: unknown) => Promise.reject(explainUnknownRoute(e))), ruleView);
    });

  addListCommand(cmd, ctx, { name: 'list', description: 'list rules in evaluation order', fetch: (c, page) => c.listRules(page), table: rulesTable });

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
