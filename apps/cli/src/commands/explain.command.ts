import { Command } from 'commander';
import type { ExplainResultDto } from '@oauth2/contracts';
import type { Context } from '../context';
import { UsageError } from '../errors';

interface ExplainOptions {
  host: string;
  path: string;
  method?: string;
  accessToken?: string;
  consumer?: string;
}

const mark = (ok: boolean): string => (ok ? '✓' : '✗');

function aligned(rows: [string, string, string][]): string[] {
  const w = Math.max(0, ...rows.map((r) => r[1].length));
  return rows.map(([m, name, why]) => `  ${m} ${name.padEnd(w)}  ${why}`.trimEnd());
}

/** The human report: route (and why not the others), rule, SPEC §4 row, each check, the answer. */
export function explainView(r: ExplainResultDto): string {
  const out: string[] = [`request:       ${r.request.method} ${r.request.host || '(no host)'} ${r.request.path}   (store revision ${r.revision})`];
  if (r.note) out.push(`refused:       ${r.note}`);
  out.push(`route:         ${r.route.matched ?? '(none)'}`);
  out.push(...aligned(r.route.candidates.map((c) => [mark(c.matched), c.name, c.reason])));
  const rule = r.rule.matched === null ? `(none) — ${r.rule.reason}` : `#${r.rule.matched} (position ${r.rule.position}, by ${r.rule.kind}) allow: ${(r.rule.allow ?? []).join(', ')} — ${r.rule.reason}`;
  out.push(`rule:          ${rule}`);
  const decision = r.decision === null ? 'not reached' : `${r.decision}${r.auth_required ? ' (token required)' : ''}`;
  out.push(`global_auth:   ${r.global_auth_row} -> ${decision}`);
  if (r.verification.length) {
    out.push('checks:');
    out.push(...aligned(r.verification.map((s) => [mark(s.ok), s.step, s.detail])));
  }
  out.push(`outcome:       ${r.outcome.status} ${r.outcome.msg} (${r.outcome.reason})`);
  return out.join('\n');
}

/** `oauth2ctl explain`: what the gateway would answer to a request, and why. */
export function explainCommand(ctx: Context): Command {
  return (
    new Command('explain')
      .description('explain what the gateway would answer to a request, and why (route, rule, global_auth, each token check)')
      .requiredOption('--host <host>', 'Host header of the request')
      .requiredOption('--path <path>', 'request path (a query is allowed)')
      .option('--method <method>', 'HTTP method (matters for token requests)', 'GET')
      // Not `--token`: that global option is the admin token, and commander reads global options anywhere.
      .option('--access-token <jwt>', 'access token the request would carry; "-" reads it from stdin')
      .option('--consumer <name>', 'instead of a token: assume a valid token of this consumer')
      .action(async (o: ExplainOptions) => {
        if (o.accessToken !== undefined && o.consumer !== undefined) throw new UsageError('--access-token and --consumer are mutually exclusive');
        let token = o.accessToken;
        if (token === '-') {
          token = (await ctx.io.readStdin()).trim();
          if (!token) throw new UsageError('--access-token -: standard input is empty');
        }
        const body = { host: o.host, path: o.path, method: o.method, ...(token !== undefined ? { token } : {}), ...(o.consumer !== undefined ? { consumer: o.consumer } : {}) };
        ctx.render(await ctx.client().call<ExplainResultDto>('POST', '/v1/explain', { json: body }), explainView);
      })
  );
}
