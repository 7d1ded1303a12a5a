import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkRevoked, decideAuth, hasDotSegment, matchRoute, matchRule, normalizeHost, type Snapshot } from '@oauth2/core';
import { extractBearerToken, verifyAccessToken, type VerifiedToken } from '@oauth2/token';
import type { Logger } from '../logger';
import type { GatewayMetrics } from '../status/metrics';
import type { SnapshotHolder } from '../snapshot/snapshot-holder';
import type { FailedAuthLimiter } from '../token-endpoint/failed-auth-limiter';
import { handleTokenRequest, type TokenEndpointDeps } from '../token-endpoint/token-endpoint';
import type { Forwarder } from './forwarder';
import { sendFailure } from './responses';
import { serveWellKnown } from '../well-known/well-known';

function audienceIncludes(aud: unknown, route: string): boolean {
  if (typeof aud === 'string') return aud === route;
  return Array.isArray(aud) && aud.includes(route);
}

export interface HandlerDeps {
  holder: SnapshotHolder;
  forwarder: Forwarder;
  metrics: GatewayMetrics;
  log: Logger;
  accessLog: boolean;
  limiter: FailedAuthLimiter;
}

/**
 * The data plane's request listener (ARCHITECTURE "The request path"): route, token endpoint,
 * SPEC §4 decision, verification, allow-list, forward. Synchronous from the snapshot read to the
 * dispatch, so one request sees exactly one snapshot.
 */
export function createGatewayHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { holder, forwarder, metrics, log } = deps;
  const cache = holder.tokenCache;
  const tokenDeps: TokenEndpointDeps = { metrics, limiter: deps.limiter };

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    const snap = holder.current as Snapshot; // the server listens only once a snapshot is loaded
    let url = req.url ?? '/';
    let hostHeader = req.headers.host;
    if (url.charCodeAt(0) !== 47 /* / */) {
      // Absolute-form target (RFC 9112 §3.2.2): its authority replaces Host.
      if (!/^https?:\/\//i.test(url)) return refuseBadRequest(res, metrics);
      try {
        const u = new URL(url);
        hostHeader = u.host;
        url = u.pathname + u.search;
      } catch {
        return refuseBadRequest(res, metrics);
      }
    }
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q);
    if (hasDotSegment(path)) return refuseBadRequest(res, metrics);
    // docs/signing-keys.md: the JWKS and the RFC 8414 metadata, on every host, before route matching.
    if (path.charCodeAt(1) === 46 /* . */ && serveWellKnown(req, res, snap, path, hostHeader)) return;
    const host = normalizeHost(hostHeader);
    const route = matchRoute(snap.routes, host, path);

    if (deps.accessLog) {
      const started = Date.now();
      // Never the query string: a token request carries the client secret there.
      res.once('finish', () => log.info({ method: req.method, host, path, status: res.statusCode, route: route?.name ?? null, ms: Date.now() - started }, 'request'));
    }

    if (path.endsWith(snap.settings.auth_path)) {
      return handleTokenRequest(req, res, snap, route, q < 0 ? '' : url.slice(q + 1), tokenDeps);
    }
    if (route === undefined) {
      metrics.count('', 'no_route', 'no_route');
      return sendFailure(res, 'no_route');
    }
    const rule = matchRule(snap.rules, route.name, host);
    const decision = decideAuth(snap.settings.global_auth, snap.rules.rules.length > 0, rule !== undefined);
    if (decision === 'pass') {
      return forwarder.forward(req, res, route, path, query, null, null);
    }

    const bearer = extractBearerToken(req.headers[snap.authHeader]);
    if (!bearer.ok) {
      metrics.count(route.name, 'unauthorized', bearer.code);
      return sendFailure(res, bearer.code);
    }
    const now = Math.floor(Date.now() / 1000);
    let verified: VerifiedToken | undefined = cache.get(bearer.token, now);
    if (verified === undefined) {
      const s = snap.settings;
      const r = verifyAccessToken(bearer.token, snap.consumersByClientId, { issuer: s.issuer, clockSkewSeconds: s.clock_skew_seconds, nowSeconds: now, signingKeys: snap.signingKeys, maxLifetimeSeconds: s.token_ttl });
      if (!r.ok) {
        metrics.count(route.name, 'unauthorized', r.code);
        return sendFailure(res, r.code);
      }
      verified = r;
      cache.set(bearer.token, r, s.clock_skew_seconds);
    }
    // Also for cache hits: a cached token may have been revoked since (docs/revocation.md).
    if (checkRevoked(snap, verified.claims, now)) {
      metrics.count(route.name, 'unauthorized', 'revoked');
      return sendFailure(res, 'revoked');
    }
    if (!snap.settings.global_credentials && !audienceIncludes(verified.claims.aud, route.name)) {
      metrics.count(route.name, 'forbidden', 'audience_mismatch');
      return sendFailure(res, 'audience_mismatch');
    }
    const consumer = verified.consumer.name;
    if (rule !== undefined && !rule.allowSet.has(consumer)) {
      metrics.count(route.name, 'forbidden', 'not_allowed');
      return sendFailure(res, 'not_allowed');
    }
    forwarder.forward(req, res, route, path, query, consumer, snap.settings.keep_token ? null : snap.authHeader);
  };
}

function refuseBadRequest(res: ServerResponse, metrics: GatewayMetrics): void {
  metrics.count('', 'bad_request', 'bad_request');
  sendFailure(res, 'bad_request', true);
}
