import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorizeRequest, isCorsPreflight, parseRequestTarget, type Snapshot } from '@oauth2/core';
import { createTokenVerifier } from '@oauth2/token';
import type { Logger } from '../logger';
import type { GatewayMetrics } from '../status/metrics';
import type { SnapshotHolder } from '../snapshot/snapshot-holder';
import type { FailedAuthLimiter } from '../token-endpoint/failed-auth-limiter';
import { handleTokenRequest, type TokenEndpointDeps } from '../token-endpoint/token-endpoint';
import type { Forwarder } from './forwarder';
import type { TrustedProxies } from './trusted-proxies';
import { clientCertThumbprint, type ClientCaBundle } from './client-cert';
import { hasRepeatedHeader } from './repeated-header';
import { refuse } from './responses';
import { serveWellKnown } from '../well-known/well-known';

export interface HandlerDeps {
  holder: SnapshotHolder;
  forwarder: Forwarder;
  metrics: GatewayMetrics;
  log: Logger;
  accessLog: boolean;
  limiter: FailedAuthLimiter;
  /** GATEWAY_TRUSTED_PROXIES: whose X-Forwarded-Proto says the request was https. */
  trusted: TrustedProxies;
  /** GATEWAY_TLS_CLIENT_CA as certificates (certificate client authentication, docs/tls.md); null when unset. */
  clientCa?: ClientCaBundle | null;
}

/**
 * The data plane's request listener (docs/request-flow.md): one spelling of the target, then the
 * one decision (`authorizeRequest`, libs/core), then its answer in the proxy's shape: the token
 * endpoint, a forward (with X-Mse-Consumer and X-Authenticated-Scope when authenticated) or a refusal. Synchronous from the
 * snapshot read to the dispatch, so one request sees exactly one snapshot.
 */
export function createGatewayHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { holder, forwarder, metrics, log } = deps;
  const verifier = createTokenVerifier(holder.tokenCache);
  const tokenDeps: TokenEndpointDeps = { metrics, limiter: deps.limiter, trusted: deps.trusted, clientCa: deps.clientCa ?? null };

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    const snap = holder.current as Snapshot; // the server listens only once a snapshot is loaded
    if (hasRepeatedHeader(req.rawHeaders, snap.authHeader)) return refuse(res, metrics, '', 'repeated_header', true);
    const target = parseRequestTarget(req.url ?? '/', req.headers.host);
    if (!target.ok) return refuse(res, metrics, '', 'bad_path', true);
    // Absolute-form: the URL's authority is the host for routing and for X-Forwarded-Host alike.
    if (target.authority !== undefined) req.headers.host = target.authority;
    const { path, query } = target;
    // docs/signing-keys.md: the JWKS and the RFC 8414 metadata, on every host, before route matching.
    const secure = deps.trusted.secure(req);
    if (path.charCodeAt(1) === 46 /* . */ && serveWellKnown(req, res, snap, path, req.headers.host, secure, tokenDeps.clientCa !== null)) return;

    const method = req.method ?? 'GET';
    const corsPreflight = isCorsPreflight(method, req.headers.origin, req.headers['access-control-request-method']);
    const d = authorizeRequest(
      snap,
      { target, method, authorization: req.headers[snap.authHeader], corsPreflight, secure, clientCert: clientCertThumbprint(req, deps.trusted) },
      Math.floor(Date.now() / 1000),
      verifier,
    );
    if (deps.accessLog) {
      const started = Date.now();
      const route = d.route?.name ?? null;
      // Never the query string: a token request carries the client secret there.
      res.once('finish', () => log.info({ method: req.method, host: target.host, path, status: res.statusCode, route, ms: Date.now() - started }, 'request'));
    }
    switch (d.kind) {
      case 'token_request':
        return handleTokenRequest(req, res, snap, d.route, query.length === 0 ? '' : query.slice(1), tokenDeps);
      case 'pass':
        return forwarder.forward(req, res, d.route!, path, query, null, null);
      case 'allow':
        return forwarder.forward(req, res, d.route!, path, query, d.consumer, snap.settings.keep_token ? null : snap.authHeader, d.scopes);
      case 'refuse':
        return refuse(res, metrics, d.route?.name ?? '', d.code, false, d.wwwAuthenticate);
    }
  };
}
