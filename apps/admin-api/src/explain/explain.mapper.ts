import { createHash, X509Certificate } from 'node:crypto';
import { BadRequestException } from '@nestjs/common';
import type { ExplainRequestDto, ExplainResultDto, GrantsDto, WhoDto } from '@oauth2/contracts';
import type { ExplainInput, ExplainResult, GrantsResult, WhoResult } from '@oauth2/core';

/** Field by field: only what the DTO declares reaches core. The client certificate reaches it as its x5t#S256. */
export function toExplainInput(b: ExplainRequestDto): Omit<ExplainInput, 'nowSeconds'> {
  return {
    host: b.host,
    path: b.path,
    method: b.method,
    token: b.token,
    consumer: b.consumer,
    ...(b.secure !== undefined ? { secure: b.secure } : {}),
    ...(b.client_cert !== undefined ? { clientCert: pemThumbprint(b.client_cert) } : {}),
  };
}

/** RFC 8705 x5t#S256 of a PEM certificate; 400 naming the field when it is not one. */
function pemThumbprint(pem: string): string {
  try {
    return createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');
  } catch {
    throw new BadRequestException('client_cert must be a PEM certificate (-----BEGIN CERTIFICATE----- ...)');
  }
}

/**
 * Core's results hold names, ids, claims' wording and messages only (no secret, no key, no token):
 * core/explain.spec.ts checks that. Mapped explicitly anyway so a field added to core does not
 * reach the wire unreviewed.
 */
export function toExplainResult(r: ExplainResult): ExplainResultDto {
  return {
    revision: r.revision,
    request: { ...r.request },
    route: { matched: r.route.matched, candidates: r.route.candidates.map((c) => ({ name: c.name, matched: c.matched, reason: c.reason })) },
    rule: { matched: r.rule.matched, position: r.rule.position, kind: r.rule.kind, allow: r.rule.allow, allow_groups: r.rule.allow_groups, scopes: r.rule.scopes, reason: r.rule.reason },
    global_auth_row: r.global_auth_row,
    decision: r.decision,
    auth_required: r.auth_required,
    verification: r.verification.map((s) => ({ step: s.step, ok: s.ok, detail: s.detail })),
    outcome: { status: r.outcome.status, reason: r.outcome.reason, msg: r.outcome.msg, ...(r.outcome.cause !== undefined ? { cause: r.outcome.cause } : {}) },
    ...(r.note !== undefined ? { note: r.note } : {}),
  };
}

export function toGrants(g: GrantsResult): GrantsDto {
  return {
    consumer: g.consumer,
    revision: g.revision,
    global_auth_row: g.global_auth_row,
    global_credentials: g.global_credentials,
    routes: g.routes.map((r) => ({
      route: r.route,
      reachable: r.reachable,
      access: r.access,
      rule: r.rule,
      reason: r.reason,
      notes: [...r.notes],
      hosts: r.hosts.map((h) => ({ host: h.host, reachable: h.reachable, access: h.access, rule: h.rule })),
    })),
    domain_rules: g.domain_rules.map((d) => ({ rule: d.rule, position: d.position, domains: [...d.domains], reachable: d.reachable, reason: d.reason })),
  };
}

export function toWho(w: WhoResult): WhoDto {
  return { route: w.route, revision: w.revision, global_auth_row: w.global_auth_row, rule: w.rule, access: w.access, consumers: w.consumers, reason: w.reason, notes: [...w.notes] };
}
