import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorizeRequest, FAILURES, isCorsPreflight, parseRequestTarget, type Snapshot } from '@oauth2/core';
import { createTokenVerifier } from '@oauth2/token';
import type { Logger } from '../logger';
import { hasRepeatedHeader } from '../proxy/repeated-header';
import { sendFailure, sendFailureWithMessage } from '../proxy/responses';
import type { SnapshotHolder } from '../snapshot/snapshot-holder';
import type { GatewayMetrics } from '../status/metrics';
import { readCheckRequest, type CheckShape } from './check-request';
import type { TrustedProxies } from '../proxy/trusted-proxies';
import { clientCertThumbprint } from '../proxy/client-cert';

export interface AuthzDeps {
  holder: SnapshotHolder;
  metrics: GatewayMetrics;
  log: Logger;
  accessLog: boolean;
  /** The original request was https only if a trusted proxy says so (X-Forwarded-Proto). */
  trusted: TrustedProxies;
}

const ALLOW_EMPTY = Object.freeze({ 'content-length': '0', 'cache-control': 'no-store' });

/**
 * The external-authorization listener (docs/external-authz.md): reads the original request out of
 * an Envoy, nginx or forward-auth check request, runs THE request decision (`authorizeRequest`, in
 * its `authz` mode) on the same snapshot as the proxy path, and answers 200 with the identity
 * headers for the proxy to copy upstream, or the proxy path's own refusal (status, body,
 * WWW-Authenticate) for the proxy to relay to the client.
 */
export function createAuthzHandler(deps: AuthzDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { holder, metrics, log } = deps;
  const verifier = createTokenVerifier(holder.tokenCache);
  const count = (shape: CheckShape | 'unknown', outcome: string, reason: string) => metrics.authzDecisions.inc({ shape, outcome, reason });

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    // The body is never read: ProxyServer's body gate (body-gate.ts) closes the connection after
    // the answer when one over 64 KiB (or of unknown length) was announced, instead of draining it.
    const snap = holder.current as Snapshot;
    const check = readCheckRequest(req.url ?? '/', req.method ?? 'GET', req.headers);
    if (!check.ok) {
      const code = check.status === 404 ? 'unknown_check_path' : 'bad_check_request';
      count(check.shape ?? 'unknown', 'bad_request', code);
      return check.status === 404 ? sendFailure(res, code) : sendFailureWithMessage(res, code, check.msg);
    }
    const { shape } = check;
    if (hasRepeatedHeader(req.rawHeaders, snap.authHeader)) {
      count(shape, 'bad_request', 'repeated_header');
      return sendFailure(res, 'repeated_header');
    }
    const target = parseRequestTarget(check.target, check.host);
    if (!target.ok) {
      count(shape, 'bad_request', 'bad_path');
      return sendFailure(res, 'bad_path');
    }
    const corsPreflight = isCorsPreflight(check.method, req.headers.origin, req.headers['access-control-request-method']);
    const d = authorizeRequest(
      snap,
      { target, method: check.method, authorization: req.headers[snap.authHeader], corsPreflight, secure: deps.trusted.forwardedHttps(req), clientCert: clientCertThumbprint(req, deps.trusted) },
      Math.floor(Date.now() / 1000),
      verifier,
      'authz',
    );
    if (deps.accessLog) {
      const started = Date.now();
      res.once('finish', () =>
        log.info({ authz: shape, method: check.method, host: target.host, path: target.path, status: res.statusCode, route: d.route?.name ?? null, ms: Date.now() - started }, 'check'),
      );
    }
    switch (d.kind) {
      case 'token_request':
      case 'pass':
        // No identity headers: the proxy forwards the request as it came (less X-Mse-Consumer,
        // which its configuration strips or overwrites with our empty answer).
        count(shape, 'allowed', d.kind);
        res.writeHead(200, ALLOW_EMPTY);
        return void res.end();
      case 'allow':
        count(shape, 'allowed', 'authenticated');
        // SPEC §8.3: the effective scopes beside the consumer, omitted when there are none.
        res.writeHead(200, d.scopes === '' ? { ...ALLOW_EMPTY, 'x-mse-consumer': d.consumer } : { ...ALLOW_EMPTY, 'x-mse-consumer': d.consumer, 'x-authenticated-scope': d.scopes });
        return void res.end();
      case 'refuse':
        count(shape, FAILURES[d.code].outcome, d.code);
        return sendFailure(res, d.code, false, d.wwwAuthenticate);
    }
  };
}
