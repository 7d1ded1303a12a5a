import type { IncomingMessage, ServerResponse } from 'node:http';
import { certificateAuthenticates, splitScopeParam, type CompiledConsumer, type CompiledRoute, type Snapshot, type TokenEndpointFailure } from '@oauth2/core';
import { issueToken } from './issue-token';
import type { GatewayMetrics } from '../status/metrics';
import { refuse as refuseWith, refuseLocked, refuseWithMessage, sendToken } from '../proxy/responses';
import type { FailedAuthLimiter } from './failed-auth-limiter';
import { authenticateClient, isBasic, parseBasic } from './client-auth';
import { acceptBody } from '../proxy/body-gate';
import { isFormContentType, MAX_FORM_BYTES, readFormBody } from './form-body';
import { clientCertificate, type ClientCaBundle } from '../proxy/client-cert';
import type { TrustedProxies } from '../proxy/trusted-proxies';

export interface TokenEndpointDeps {
  metrics: GatewayMetrics;
  limiter: FailedAuthLimiter;
  /** Whose forwarded client certificate counts (GATEWAY_TRUSTED_PROXIES). */
  trusted: TrustedProxies;
  /**
   * Certificate client authentication (RFC 8705 §2, docs/tls.md): the GATEWAY_TLS_CLIENT_CA bundle
   * when it is set (then a client_id without a secret is a certificate authentication), else null.
   */
  clientCa: ClientCaBundle | null;
}

/** The certificate client authentication of a client_id without a secret (RFC 8705 §2). */
export type CertificateAuth = { ok: true; consumer: CompiledConsumer; thumbprint: string } | { ok: false };
const CERT_REFUSED: CertificateAuth = Object.freeze({ ok: false });

/**
 * A consumer registered with tls_client_auth / self_signed_tls_client_auth is authenticated by the
 * request's certificate (client-cert.ts: our own handshake, or a trusted proxy's forward); every
 * failure looks the same to the client (unknown id, a client_secret consumer, no or another
 * certificate). The caller answers `invalid_client_certificate` and counts the failure.
 */
export function authenticateByCertificate(req: IncomingMessage, snap: Snapshot, clientId: string, trusted: TrustedProxies, clientCa: ClientCaBundle | null): CertificateAuth {
  const cert = clientCertificate(req, trusted, clientCa ?? undefined);
  const c = snap.consumersByClientId.get(clientId);
  if (c === undefined || c.tls === null || cert === null || !certificateAuthenticates(c.tls, cert)) return CERT_REFUSED;
  return { ok: true, consumer: c, thumbprint: cert.thumbprint };
}

const SINGLE_VALUED = ['grant_type', 'client_id', 'client_secret', 'scope'];

/**
 * Serves a token request (docs/higress-mapping.md, "Token endpoint"): client credentials grant only, parameters from the query (GET)
 * or a form body (POST), client authentication by parameters or HTTP Basic.
 * Nothing here logs: the query and body carry the client secret.
 */
export function handleTokenRequest(req: IncomingMessage, res: ServerResponse, snap: Snapshot, route: CompiledRoute | undefined, query: string, deps: TokenEndpointDeps): void {
  const metrics = deps.metrics;
  const routeName = route ? route.name : '';
  if (!snap.settings.global_credentials && route === undefined) return refuseWith(res, metrics, '', 'no_route');
  const method = req.method;
  if (method === 'GET') {
    return issue(req, res, snap, routeName, query, deps);
  }
  if (method !== 'POST') return refuseWith(res, metrics, routeName, 'method_not_allowed');
  if (!isFormContentType(req.headers['content-type'])) return refuseWith(res, metrics, routeName, 'bad_content_type');
  acceptBody(res, MAX_FORM_BYTES); // 100 Continue now, if asked (body-gate.ts)
  readFormBody(
    req,
    (form) => issue(req, res, snap, routeName, form, deps),
    () => refuseWith(res, metrics, routeName, 'body_too_large'),
  );
}

function issue(req: IncomingMessage, res: ServerResponse, snap: Snapshot, routeName: string, form: string, deps: TokenEndpointDeps): void {
  const { metrics, limiter } = deps;
  const refuse = (code: TokenEndpointFailure, msg?: string) => (msg === undefined ? refuseWith(res, metrics, routeName, code) : refuseWithMessage(res, metrics, routeName, code, msg));
  const params = new URLSearchParams(form);
  const authz = req.headers.authorization;
  const basic = isBasic(authz);
  if (form.length === 0 && !basic) return refuse('params_missing');
  // RFC 6749 §3.1: parameters must not be repeated; taking either copy would be a guess.
  for (const name of SINGLE_VALUED) {
    if (params.getAll(name).length > 1) return refuse('bad_request_body', `parameter ${name} is repeated`);
  }
  const grantType = params.get('grant_type');
  if (!grantType) return refuse('grant_type_missing');
  if (grantType !== 'client_credentials') {
    return refuse('unsupported_grant_type', `grant type ${grantType.slice(0, 200)} is not supported.`);
  }
  let clientId: string | null;
  let clientSecret: string | null;
  if (basic) {
    if (params.has('client_id') || params.has('client_secret')) return refuse('multiple_client_auth');
    const creds = parseBasic(authz);
    if (!creds.ok) return refuse('invalid_client_basic');
    clientId = creds.clientId;
    clientSecret = creds.clientSecret;
  } else {
    clientId = params.get('client_id');
    clientSecret = params.get('client_secret');
  }
  if (!clientId) return refuse('client_id_missing');
  // RFC 8705 §2: without a secret, a client_id authenticates with its certificate where that is
  // offered (GATEWAY_TLS_CLIENT_CA, or a certificate a trusted proxy forwarded); elsewhere as Higress.
  const byCertificate = !clientSecret && !basic && (deps.clientCa !== null || clientCertificate(req, deps.trusted) !== null);
  if (!clientSecret && !byCertificate) return refuse('client_secret_missing');
  // Checked before the secret: a locked client_id is refused even with the right one, so the lock
  // never confirms a guess. Unknown ids are counted alike, so 429 does not reveal which ids exist.
  const lock = limiter.check(clientId);
  if (lock.locked) return refuseLocked(res, metrics, routeName, lock.retryAfterSeconds);
  const nowSeconds = Math.floor(Date.now() / 1000);
  let client: ReturnType<typeof authenticateClient>;
  let cnf: string | undefined;
  if (byCertificate) {
    const auth = authenticateByCertificate(req, snap, clientId, deps.trusted, deps.clientCa);
    if (!auth.ok) {
      limiter.recordFailure(clientId);
      return refuse('invalid_client_certificate');
    }
    client = { consumer: auth.consumer, previous: null };
    cnf = auth.thumbprint;
  } else {
    client = authenticateClient(snap.consumersByClientId, clientId, clientSecret!, nowSeconds);
    // A certificate-authenticated consumer's stored secret is its HS256 key, never a credential:
    // a secret sent for it is refused exactly like a wrong one.
    if (client === null || client.consumer.tls !== null) {
      limiter.recordFailure(clientId);
      return refuse(basic ? 'invalid_client_basic' : 'invalid_client');
    }
  }
  const consumer = client.consumer;

  const grant = grantScopes(consumer, params.get('scope'));
  if (!grant.ok) return grant.scope === undefined ? refuse('invalid_scope') : refuse('scope_not_allowed', `scope ${grant.scope} is not allowed for this client`);

  const s = snap.settings;
  // The previous secret (rotation grace, SPEC §8.4) gets a token that ends with the grace: signed
  // with that secret under HS256, and never outliving it under any alg (exp capped, expires_in too).
  const prev = client.previous;
  const ttl = prev === null ? s.token_ttl : Math.min(s.token_ttl, prev.expires_at - nowSeconds);
  const signer = prev === null || prev.key === null ? consumer : { name: consumer.name, client_id: consumer.client_id, key: prev.key };
  const token = issueToken(signer, snap, {
    issuer: s.issuer,
    audience: s.global_credentials ? 'default' : routeName,
    ttlSeconds: ttl,
    nowSeconds,
    ...(grant.claim !== undefined ? { scope: grant.claim } : {}),
    // RFC 8705 §3: bound to the certificate it authenticated with.
    ...(cnf !== undefined ? { cnf: { 'x5t#S256': cnf } } : {}),
  });
  metrics.count(routeName, 'issued', '');
  sendToken(res, token, ttl, grant.response);
}

type Grant = { ok: true; claim?: string; response?: string } | { ok: false; scope?: string };
const NO_SCOPE: Grant = Object.freeze({ ok: true });

/**
 * SPEC §8.2: the scopes a token gets. A requested token outside the RFC 6749 §3.3 charset is
 * invalid_scope. A consumer with a scopes list gets what it asks for when every scope is in the list
 * (the whole list when it asks for none), and the answer names it; an unrestricted one gets its
 * `scope` copied as given (Higress), which no rule ever counts (SPEC §8.3).
 */
export function grantScopes(consumer: CompiledConsumer, requested: string | null): Grant {
  const asked = requested === null ? [] : splitScopeParam(requested);
  if (asked === null) return { ok: false };
  const own = consumer.scopeSet;
  if (own === null) return requested === null ? NO_SCOPE : { ok: true, claim: requested };
  if (asked.length === 0) return own.text === '' ? { ok: true, response: '' } : { ok: true, claim: own.text, response: own.text };
  for (const t of asked) if (!own.set.has(t)) return { ok: false, scope: t.length > 128 ? `${t.slice(0, 128)}...` : t };
  const text = asked.join(' ');
  return { ok: true, claim: text, response: text };
}
