import { Command } from 'commander';
import type { Context } from '../context';
import { UsageError } from '../errors';
import { explainView } from '../output/views';
import { readInput } from './apply.command';

interface ExplainOptions {
  host: string;
  path: string;
  method?: string;
  accessToken?: string;
  consumer?: string;
  clientCert?: string;
  plainHttp?: boolean;
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
      .option('--client-cert <file>', 'PEM client certificate the request presents over TLS (for certificate-bound tokens, RFC 8705)')
      .option('--plain-http', 'the request arrives over plain HTTP, not TLS (what require_https refuses)')
      .action(async (o: ExplainOptions) => {
        if (o.accessToken !== undefined && o.consumer !== undefined) throw new UsageError('--access-token and --consumer are mutually exclusive');
        let token = o.accessToken;
        if (token === '-') {
          token = (await ctx.io.readStdin()).trim();
          if (!token) throw new UsageError('--access-token -: standard input is empty');
        }
        if (o.clientCert !== undefined && o.plainHttp) throw new UsageError('--client-cert needs TLS: it cannot go with --plain-http');
        const clientCert = o.clientCert === undefined ? undefined : await readInput(ctx, o.clientCert);
        const body = {
          host: o.host,
          path: o.path,
          method: o.method,
          ...(token !== undefined ? { token } : {}),
          ...(o.consumer !== undefined ? { consumer: o.consumer } : {}),
          ...(clientCert !== undefined ? { client_cert: clientCert } : {}),
          ...(o.plainHttp ? { secure: false } : {}),
        };
        ctx.render(await ctx.client().explain(body), explainView);
      })
  );
}
