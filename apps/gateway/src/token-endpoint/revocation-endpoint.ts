import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateToken, parseRequestTarget, type FailureCode, type Snapshot } from '@oauth2/core';
import { createTokenVerifier } from '@oauth2/token';
import type { Logger } from '../logger';
import { refuse as refuseWith, refuseLocked, refuseWithMessage } from '../proxy/responses';
import type { SnapshotHolder } from '../snapshot/snapshot-holder';
import type { GatewayMetrics } from '../status/metrics';
import { authenticateClient, isBasic, parseBasic } from './client-auth';
import type { FailedAuthLimiter } from './failed-auth-limiter';
import { acceptBody } from '../proxy/body-gate';
import { isFormContentType, MAX_FORM_BYTES, readFormBody } from './form-body';

/** Verification without the gateway's cache: a revocation is rare, and must see the token afresh. */
const VERIFIER = createTokenVerifier();
import { RevocationRateLimiter } from './revocation-rate-limiter';
import type { TrustedProxies } from '../proxy/trusted-proxies';
import { clientCertificate, type ClientCaBundle } from '../proxy/client-cert';
import { authenticateByCertificate } from './token-endpoint';

/** RFC 7009 token revocation endpoint (docs/revocation.md); opt-in with GATEWAY_REVOCATION_ENDPOINT=true. */
export const REVOKE_PATH = '/oauth2/revoke';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface RevocationEndpointDeps {
  holder: SnapshotHolder;
  metrics: GatewayMetrics;
  /** Shared with the token endpoint: guessing a secret here counts against the same budget. */
  limiter: FailedAuthLimiter;
  log: Logger;
  /** A store write from the data plane (the only one): revokes `clientId`'s token `jti` until `exp`. */
  revokeJti(jti: string, exp: number, clientId: string): Promise<unknown>;
  /** require_https: whose X-Forwarded-Proto says the request was https (GATEWAY_TRUSTED_PROXIES). */
  trusted: TrustedProxies;
  /** GATEWAY_TLS_CLIENT_CA as certificates: certificate client authentication as at the token endpoint (docs/tls.md); null or absent when unset. */
  clientCa?: ClientCaBundle | null;
  /** Revocations per authenticated client (default: 5 a second, bursts of 20). */
  rate?: RevocationRateLimiter;
}

const SINGLE_VALUED = ['token', 'token_type_hint', 'client_id', 'client_secret'];
/** The store refuses later times (year 9999); a token claiming more is revoked until then. */
const MAX_EXP = 253_402_300_799;

/**
 * Is this request for REVOKE_PATH? The target is read in the one spelling every decision uses
 * (parseRequestTarget: absolute form, escapes, merged slashes); a target the normalizer refuses is
 * not ours, and the proxy path refuses it. Most requests are ruled out without parsing: the path
 * can only normalize to REVOKE_PATH when the raw target says "revoke" or carries an escape.
 */
export function isRevocationRequest(url: string | undefined): boolean {
  if (url === undefined || (!url.includes('revoke') && !url.includes('%'))) return false;
  const t = parseRequestTarget(url, undefined);
  return t.ok && t.path === REVOKE_PATH;
}

/**
 * Wraps the gateway handler: REVOKE_PATH is served here, on every host and before route matching;
 * everything else goes to `next` untouched (one prefix test per request).
 */
export function withRevocationEndpoint(next: Handler, deps: RevocationEndpointDeps): Handler {
  if (deps.rate === undefined) deps = { ...deps, rate: new RevocationRateLimiter() };
  return function handle(req, res) {
    if (!isRevocationRequest(req.url)) return next(req, res);
    handleRevocation(req, res, deps);
  };
}

function refuse(res: ServerResponse, deps: RevocationEndpointDeps, code: FailureCode, msg?: string): void {
  if (msg !== undefined) refuseWithMessage(res, deps.metrics, '', code, msg);
  else refuseWith(res, deps.metrics, '', code);
}

/** Reads the form body (max 64 KiB, like the token endpoint), then revokes. Nothing here logs the body: it holds a secret and a token. */
function handleRevocation(req: IncomingMessage, res: ServerResponse, deps: RevocationEndpointDeps): void {
  // require_https (docs/tls.md): the body carries a client secret and a token; refused before it is read.
  if ((deps.holder.current as Snapshot).settings.require_https && !deps.trusted.secure(req)) return refuse(res, deps, 'token_https_required');
  if (req.method !== 'POST') return refuse(res, deps, 'revocation_method_not_allowed');
  if (!isFormContentType(req.headers['content-type'])) return refuse(res, deps, 'bad_content_type');
  acceptBody(res, MAX_FORM_BYTES); // 100 Continue now, if asked (body-gate.ts)
  readFormBody(
    req,
    (form) => void revoke(req, res, form, deps),
    () => refuse(res, deps, 'body_too_large'),
  );
}

async function revoke(req: IncomingMessage, res: ServerResponse, form: string, deps: RevocationEndpointDeps): Promise<void> {
  const snap = deps.holder.current as Snapshot;
  const params = new URLSearchParams(form);
  for (const name of SINGLE_VALUED) {
    if (params.getAll(name).length > 1) return refuse(res, deps, 'bad_request_body', `parameter ${name} is repeated`);
  }
  // Client authentication exactly as at the token endpoint (docs/higress-mapping.md, "Token endpoint"), but any failure is 401
  // invalid_client (RFC 7009 §2.1 -> RFC 6749 §5.2).
  const authz = req.headers.authorization;
  let clientId: string | null;
  let clientSecret: string | null;
  if (isBasic(authz)) {
    if (params.has('client_id') || params.has('client_secret')) return refuse(res, deps, 'multiple_client_auth');
    const creds = parseBasic(authz);
    if (!creds.ok) return refuse(res, deps, 'invalid_client_basic');
    clientId = creds.clientId;
    clientSecret = creds.clientSecret;
  } else {
    clientId = params.get('client_id');
    clientSecret = params.get('client_secret');
  }
  const clientCa = deps.clientCa ?? null;
  // RFC 8705 §2 as at the token endpoint: a client_id without a secret authenticates with its certificate where that is offered.
  const byCertificate = !!clientId && !clientSecret && !isBasic(authz) && (clientCa !== null || clientCertificate(req, deps.trusted) !== null);
  if (!clientId || (!clientSecret && !byCertificate)) return refuse(res, deps, 'invalid_client_basic');
  const lock = deps.limiter.check(clientId);
  if (lock.locked) return refuseLocked(res, deps.metrics, '', lock.retryAfterSeconds);
  const now = Math.floor(Date.now() / 1000);
  let client;
  if (byCertificate) {
    const auth = authenticateByCertificate(req, snap, clientId, deps.trusted, clientCa);
    client = auth.ok ? auth.consumer : null;
  } else {
    // The previous secret of a rotation authenticates here too while its grace lasts (SPEC §8.4).
    client = authenticateClient(snap.consumersByClientId, clientId, clientSecret!, now)?.consumer ?? null;
    // A certificate-authenticated consumer's stored secret is no credential (docs/tls.md).
    if (client !== null && client.tls !== null) client = null;
  }
  if (client === null) {
    deps.limiter.recordFailure(clientId);
    return refuse(res, deps, byCertificate ? 'invalid_client_certificate' : 'invalid_client_basic');
  }
  const token = params.get('token');
  if (!token) return refuse(res, deps, 'params_missing', 'token is missing');
  // Every authenticated call counts, whatever the token: a store write and a reload everywhere
  // must not be a client's to trigger at will (and a refusal here must not tell whether it wrote).
  const wait = (deps.rate as RevocationRateLimiter).take(client.client_id);
  // The token endpoint's 429 (body shape, Retry-After), saying what was exceeded.
  if (wait !== 0) return refuseLocked(res, deps.metrics, '', wait, 'too many revocations from this client; retry later');

  // RFC 7009 §2.2: an invalid, expired, unknown or foreign token is answered 200 too, so the
  // answer never tells a client anything about a token it does not own.
  // The token part of the request decision (authenticateToken: verify, then not already revoked).
  const r = authenticateToken(snap, token, now, VERIFIER);
  const revocable = r.ok && r.claims.client_id === client.client_id && typeof r.claims.jti === 'string';
  if (revocable) {
    // Kept no longer than the token could legitimately live (docs/revocation.md): iat + token_ttl +
    // skew (now instead of a missing iat), and never past its exp — a self-minted exp=1e12 no longer
    // buys a row until year 9999.
    const iat = typeof r.claims.iat === 'number' && Number.isFinite(r.claims.iat) ? r.claims.iat : now;
    const s = snap.settings;
    const until = Math.min(Math.ceil(r.claims.exp), Math.ceil(iat) + s.token_ttl + s.clock_skew_seconds, MAX_EXP);
    try {
      await deps.revokeJti(r.claims.jti as string, until, client.client_id);
    } catch (e) {
      // §2.2.1: 503 tells the client the token may still be valid and to retry.
      deps.log.warn({ err_message: e instanceof Error ? e.message.split('\n')[0] : String(e) }, 'token revocation: store write failed');
      return refuse(res, deps, 'store_unavailable');
    }
  }
  res.writeHead(200, { 'content-length': '0', 'cache-control': 'no-store' });
  res.end();
}
