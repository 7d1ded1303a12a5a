import type { ConsumerDto, ConsumerWithSecretDto, GrantsDto, PageDto } from '@oauth2/contracts';
import { pagedTable } from './common.view';
import { renderPairs, renderTable } from './table';

/** Consumers: the list, one consumer, the secret after create or rotate, and its grants. */

/** SPEC §8.1: null is unrestricted (said so, not left blank). Older servers send neither field. */
const scopesText = (c: Partial<Pick<ConsumerDto, 'scopes'>>): string => (c.scopes === null || c.scopes === undefined ? '(unrestricted)' : c.scopes.length === 0 ? '(none)' : c.scopes.join(' '));
const groupsText = (c: Partial<Pick<ConsumerDto, 'groups'>>): string => (c.groups?.length ? c.groups.join(',') : '-');

export function consumersTable(page: PageDto<ConsumerDto>, offset?: number): string {
  return pagedTable(
    renderTable(
      ['NAME', 'CLIENT_ID', 'SCOPES', 'GROUPS', 'CREATED_AT', 'PREVIOUS_SECRET_UNTIL'],
      page.items.map((c) => [c.name, c.client_id, scopesText(c), groupsText(c), c.created_at, c.previous_secret_expires_at ?? '-']),
    ),
    page,
    offset,
  );
}

export function consumerView(c: ConsumerDto): string {
  return renderPairs([['name', c.name], ['client_id', c.client_id], ...authPairs(c), ['scopes', scopesText(c)], ['groups', groupsText(c)], ['created_at', c.created_at], ...previousSecretPair(c)]);
}

/** SPEC §13: a certificate-authenticated consumer's method and its subject or thumbprint (nothing for client_secret, or an older server). */
function authPairs(c: Partial<Pick<ConsumerDto, 'auth_method' | 'tls_subject' | 'tls_thumbprint'>>): [string, string][] {
  if (c.auth_method === undefined || c.auth_method === 'client_secret') return [];
  return [
    ['auth_method', c.auth_method],
    ...(c.tls_subject ? [['tls_subject', c.tls_subject] as [string, string]] : []),
    ...(c.tls_thumbprint ? [['tls_thumbprint', c.tls_thumbprint] as [string, string]] : []),
  ];
}

const isCertificateClient = (c: Partial<Pick<ConsumerDto, 'auth_method'>>): boolean => c.auth_method !== undefined && c.auth_method !== 'client_secret';

/** Rotation with grace: the line saying until when the previous secret works, when it still does. */
function previousSecretPair(c: ConsumerDto): [string, string][] {
  return c.previous_secret_expires_at ? [['previous_secret_expires_at', `${c.previous_secret_expires_at} (the previous secret works until then)`]] : [];
}

/** The only place a secret is printed in table mode: right after create or rotate. */
export function consumerSecretView(c: ConsumerWithSecretDto): string {
  // Its secret is only the HS256 key of its tokens, never a credential: not printed (--output json has it).
  if (isCertificateClient(c))
    return `${renderPairs([['name', c.name], ['client_id', c.client_id], ...authPairs(c)])}\n\nIt authenticates with its TLS client certificate (client_id, no client_secret); its tokens are bound to that certificate.`;
  return `${renderPairs([['name', c.name], ['client_id', c.client_id], ['client_secret', c.client_secret], ...previousSecretPair(c)])}\n\nSave the client_secret now: it will not be shown again.`;
}

/** After create or rotate with a secret the caller gave: everything but the secret. */
export function suppliedSecretView(c: ConsumerDto): string {
  return renderPairs([['name', c.name], ['client_id', c.client_id], ['client_secret', '(the one you supplied; not shown)'], ...previousSecretPair(c)]);
}

const yesNo = (ok: boolean): string => (ok ? 'yes' : 'no');

/** `consumer grants`: every route and domain rule, reachable or why not. */
export function grantsView(g: GrantsDto): string {
  const out = [`consumer ${g.consumer} (store revision ${g.revision}; ${g.global_auth_row}; global_credentials=${g.global_credentials})`, ''];
  out.push(
    renderTable(
      ['ROUTE', 'REACHABLE', 'ACCESS', 'RULE', 'WHY'],
      g.routes.map((r) => [r.route, yesNo(r.reachable), r.access, r.rule === null ? '-' : `#${r.rule}`, r.reason]),
    ),
  );
  for (const r of g.routes) for (const n of r.notes) out.push(`  note (${r.route}): ${n}`);
  if (g.domain_rules.length) {
    out.push(
      '',
      renderTable(
        ['DOMAIN RULE', 'DOMAINS', 'REACHABLE', 'WHY'],
        g.domain_rules.map((d) => [`#${d.rule}`, d.domains, yesNo(d.reachable), d.reason]),
      ),
    );
  }
  return out.join('\n');
}
