import { Command } from 'commander';
import type { Context } from '../context';
import { addListCommand } from './list';
import { addGrantsCommand } from './grants.command';
import { UsageError, withForceFlag } from '../errors';
import { authMethod, collect, collectScopes, graceSeconds } from '../args';
import type { AuthMethod } from '@oauth2/core';
import type { ConsumerDto, ConsumerWithSecretDto } from '@oauth2/contracts';
import { consumersTable, consumerSecretView, consumerView, deleteView, suppliedSecretView } from '../output/views';

/** `--client-secret -` reads the secret from stdin, so it never shows in `ps` or shell history. */
async function secretArg(ctx: Context, value: string | undefined): Promise<string | undefined> {
  if (value !== '-') return value;
  const secret = (await ctx.io.readStdin()).replace(/\r?\n$/, '');
  if (!secret) throw new UsageError('--client-secret -: standard input is empty');
  return secret;
}

/**
 * A generated secret is printed (this is the only time it can be); a secret the caller supplied is
 * never echoed back, in either output mode: it would only add a copy to the terminal or a log.
 */
function renderSecret(ctx: Context, c: ConsumerWithSecretDto, supplied: boolean): void {
  if (!supplied) return ctx.render(c, consumerSecretView);
  const { client_secret: _omitted, ...rest } = c;
  ctx.render(rest, suppliedSecretView);
}

/** SPEC §13: the client-authentication flags of add and update. */
interface AuthFlags {
  auth?: AuthMethod;
  tlsSubject?: string;
  tlsThumbprint?: string;
}

/** The flags given, as API fields (the server checks which go together and says which field is wrong). */
function authFields(o: AuthFlags): { auth_method?: AuthMethod; tls_subject?: string; tls_thumbprint?: string } {
  return {
    ...(o.auth ? { auth_method: o.auth } : {}),
    ...(o.tlsSubject !== undefined ? { tls_subject: o.tlsSubject } : {}),
    ...(o.tlsThumbprint !== undefined ? { tls_thumbprint: o.tlsThumbprint } : {}),
  };
}

/** `oauth2ctl consumer add|update|list|get|remove|rotate-secret` (docs/cli.md). */
export function consumerCommand(ctx: Context): Command {
  const cmd = new Command('consumer').description('manage consumers (OAuth2 clients)');

  cmd
    .command('add <name>')
    .description('register a consumer; prints its client_id and client_secret (shown only this once)')
    .option('--client-id <id>', 'client_id to use (default: a generated UUIDv4)')
    .option('--client-secret <secret>', 'client_secret to use, at least 32 characters; "-" reads it from stdin (default: 32 random bytes, base64url)')
    .option('--scope <scope>', 'a scope it may hold; repeat for more (none given: unrestricted, a requested scope is copied unchecked and never counts)', collectScopes)
    .option('--group <name>', 'a group it belongs to; repeat for more', collect)
    .option(
      '--auth <method>',
      'how it authenticates at the token endpoint: client_secret (default), tls_client_auth (with --tls-subject) or self_signed_tls_client_auth (with --tls-thumbprint)',
      authMethod,
    )
    .option('--tls-subject <dn|san>', 'tls_client_auth: the subject DN (CN=m2m,O=Example) or san:dns:<name> / san:uri:<uri> / san:email:<address> / san:ip:<address> its certificate must carry')
    .option('--tls-thumbprint <x5t>', "self_signed_tls_client_auth: its certificate's x5t#S256 (base64url SHA-256 of the DER)")
    .action(async (name: string, o: { clientId?: string; clientSecret?: string; scope?: string[]; group?: string[] } & AuthFlags) => {
      const supplied = await secretArg(ctx, o.clientSecret);
      const created = await ctx
        .client()
        .addConsumer({ name, client_id: o.clientId, client_secret: supplied, ...(o.scope ? { scopes: o.scope } : {}), ...(o.group ? { groups: o.group } : {}), ...authFields(o) });
      renderSecret(ctx, created, supplied !== undefined);
    });

  cmd
    .command('update <name>')
    .description("replace a consumer's scopes and/or groups (flags not given keep their value); enforced at the next reload, also for tokens already issued")
    .option('--scope <scope>', 'the scopes it may hold (replaces the list); repeat for more', collectScopes)
    .option('--unrestricted', 'no scopes list: a requested scope is copied into the token unchecked and never satisfies a rule')
    .option('--group <name>', 'its groups (replaces the list); repeat for more', collect)
    .option('--no-groups', 'in no group')
    .option('--auth <method>', 'client_secret, tls_client_auth (with --tls-subject) or self_signed_tls_client_auth (with --tls-thumbprint)', authMethod)
    .option('--tls-subject <dn|san>', 'tls_client_auth: the subject DN or san:<kind>:<value> its certificate must carry')
    .option('--tls-thumbprint <x5t>', "self_signed_tls_client_auth: its certificate's x5t#S256")
    .action(async (name: string, o: { scope?: string[]; unrestricted?: boolean; group?: string[]; groups?: boolean } & AuthFlags) => {
      if (o.scope && o.unrestricted) throw new UsageError('give --scope or --unrestricted, not both');
      if (o.group && o.groups === false) throw new UsageError('give --group or --no-groups, not both');
      const patch = {
        ...(o.scope ? { scopes: o.scope } : o.unrestricted ? { scopes: null } : {}),
        ...(o.group ? { groups: o.group } : o.groups === false ? { groups: [] } : {}),
        ...authFields(o),
      };
      if (Object.keys(patch).length === 0) throw new UsageError('consumer update needs at least one of --scope, --unrestricted, --group, --no-groups, --auth, --tls-subject, --tls-thumbprint');
      ctx.render(await ctx.client().updateConsumer(name, patch), consumerView);
    });

  addListCommand<ConsumerDto, { search?: string; group?: string }>(cmd, ctx, {
    name: 'list',
    description: 'list consumers (secrets are never listed)',
    options: (list) =>
      list.option('--search <text>', 'only consumers whose name or client_id contains TEXT (any case)').option('--group <name>', 'only the members of this group (an unknown group lists none)'),
    fetch: (c, page, o) => c.listConsumers(page, o.search, o.group),
    table: consumersTable,
  });

  cmd
    .command('get <name>')
    .description('show one consumer (without its secret)')
    .action(async (name: string) => {
      ctx.render(await ctx.client().getConsumer(name), consumerView);
    });

  cmd
    .command('remove <name>')
    .alias('rm')
    .description('delete a consumer; refused while a rule allows it, unless --force')
    .option('--force', 'also remove it from every rule (a rule left with no consumer stays and allows nobody)')
    .action(async (name: string, o: { force?: boolean }) => {
      const result = await ctx
        .client()
        .removeConsumer(name, !!o.force)
        .catch((e: unknown) => Promise.reject(withForceFlag(e)));
      ctx.render(result, (d) => deleteView('consumer', d));
    });

  cmd
    .command('rotate-secret <name>')
    .description('replace the client_secret (tokens signed with the old one stop verifying, at once or after --grace)')
    .option('--client-secret <secret>', 'new secret, at least 32 characters; "-" reads it from stdin (default: generated)')
    .option('--grace <duration>', 'the old secret keeps working this long: seconds (120) or 30s, 15m, 2h, 7d; at most 30d (default 0: it stops at once)', graceSeconds)
    .action(async (name: string, o: { clientSecret?: string; grace?: number }) => {
      const supplied = await secretArg(ctx, o.clientSecret);
      renderSecret(ctx, await ctx.client().rotateSecret(name, supplied, o.grace), supplied !== undefined);
    });

  addGrantsCommand(cmd, ctx);
  return cmd;
}
