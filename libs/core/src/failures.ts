/**
 * Every way a gateway request can be refused, as a typed code. ONE table (FAILURES) maps a code to
 * its status, message, headers and metrics outcome. Every refusal the gateway sends comes from it,
 * through apps/gateway/src/proxy/responses.ts: `refuse` / `refuseWithMessage` send and count it,
 * `sendFailure` / `sendFailureWithMessage` only send it (the HTTP edge, the authz listener). No
 * other code writes a refusal body. docs/request-flow.md lists the table.
 */
export type VerifyFailure =
  | 'missing_token'
  | 'bad_scheme'
  | 'malformed'
  | 'bad_typ'
  | 'bad_alg'
  | 'bad_header'
  | 'unknown_client'
  | 'bad_signature'
  | 'bad_claims'
  | 'bad_issuer'
  | 'bad_subject'
  | 'expired'
  | 'not_yet_valid'
  | 'bad_lifetime'
  | 'revoked';

/** RFC 8705 §3: a certificate-bound token without its certificate (401 invalid_token, docs/tls.md). */
export type BindingFailure = 'certificate_mismatch';

export type AccessFailure = 'audience_mismatch' | 'not_allowed' | 'insufficient_scope' | 'https_required';

export type TokenEndpointFailure =
  | 'params_missing'
  | 'grant_type_missing'
  | 'unsupported_grant_type'
  | 'client_id_missing'
  | 'client_secret_missing'
  | 'multiple_client_auth'
  | 'bad_content_type'
  | 'bad_request_body'
  | 'invalid_client'
  | 'invalid_client_basic'
  | 'invalid_client_certificate'
  | 'body_too_large'
  | 'method_not_allowed'
  | 'too_many_attempts'
  | 'token_https_required'
  | 'invalid_scope'
  | 'scope_not_allowed';

export type GatewayFailure = 'no_route' | 'upstream_unavailable' | 'upstream_timeout' | 'bad_request' | 'bad_path' | 'repeated_header' | 'trace_refused' | 'websocket_refused' | 'internal_error';

/** The RFC 7009 revocation endpoint's own refusals (its client-auth failures are the token endpoint's). */
export type RevocationFailure = 'revocation_method_not_allowed' | 'store_unavailable';

/** The authz listener's check requests that say nothing decidable (docs/external-authz.md). */
export type CheckFailure = 'bad_check_request' | 'unknown_check_path';

export type FailureCode = VerifyFailure | BindingFailure | AccessFailure | TokenEndpointFailure | GatewayFailure | RevocationFailure | CheckFailure;

/** The `outcome` label of gateway_requests_total (the success outcomes are `issued` and `proxied`). */
export type Outcome = 'issued' | 'token_refused' | 'no_route' | 'unauthorized' | 'forbidden' | 'proxied' | 'upstream_error' | 'bad_request' | 'internal_error';

export interface FailureInfo {
  status: number;
  /** The metrics outcome a refusal with this code is counted under. */
  outcome: Outcome;
  /**
   * Answer the client as if it were this code (same status, body and headers); metrics and the
   * explainer keep the real one. `unknown_client` answers as `bad_signature`, so a token naming a
   * client_id that does not exist tells the client nothing a wrong signature would not.
   */
  answerAs?: FailureCode;
  /** The `msg` of the JSON body (Higress wording). */
  msg: string;
  /** RFC 6749 §5.2 error code, for token-endpoint failures. */
  error?: string;
  /** `WWW-Authenticate` value, if any. */
  wwwAuthenticate?: string;
  /** Other fixed headers of the answer (`Allow`, `Retry-After`). */
  headers?: Readonly<Record<string, string>>;
}

export const BEARER_REALM = 'Bearer realm="oauth2-gateway"';
const INVALID_TOKEN = 'Bearer realm="oauth2-gateway", error="invalid_token"';

const jwt = (reason: string): FailureInfo => ({ status: 401, outcome: 'unauthorized', msg: `Invalid Jwt token: ${reason}`, wwwAuthenticate: INVALID_TOKEN });
const denied = (reason: string): FailureInfo => ({ status: 403, outcome: 'forbidden', msg: `Access Denied: ${reason}` });
const badRequest = (msg: string, error = 'invalid_request'): FailureInfo => ({ status: 400, outcome: 'token_refused', msg, error });
const tokenEndpoint = (status: number, msg: string, error: string, wwwAuthenticate?: string, headers?: Record<string, string>): FailureInfo => ({
  status,
  outcome: 'token_refused',
  msg,
  error,
  wwwAuthenticate,
  headers,
});

export const FAILURES: Readonly<Record<FailureCode, FailureInfo>> = Object.freeze({
  // No credentials at all carries no error code (RFC 6750 §3.1).
  missing_token: { status: 401, outcome: 'unauthorized', msg: 'Invalid Jwt token: missing token', wwwAuthenticate: BEARER_REALM },
  bad_scheme: jwt('authorization scheme must be Bearer followed by one token'),
  malformed: jwt('malformed token'),
  bad_typ: jwt('typ must be at+jwt'),
  bad_alg: jwt('alg must be HS256, or the alg of the signing key named by kid'),
  bad_header: jwt('unsupported header parameter'),
  unknown_client: { ...jwt('unknown client_id'), answerAs: 'bad_signature' },
  bad_signature: jwt('signature verification failed'),
  bad_claims: jwt('claim of the wrong type'),
  bad_issuer: jwt('issuer mismatch'),
  bad_subject: jwt('subject does not match the client'),
  expired: jwt('token is expired'),
  not_yet_valid: jwt('token is not yet valid'),
  bad_lifetime: jwt('token lifetime exceeds token_ttl'),
  revoked: jwt('token has been revoked'),
  // RFC 8705 §3: a token bound to a client certificate (cnf.x5t#S256), without that certificate.
  certificate_mismatch: jwt('token is bound to a client certificate this request does not present'),

  audience_mismatch: denied('token audience does not include this route'),
  not_allowed: denied('consumer is not allowed here'),
  // SPEC §8.3, RFC 6750 §3.1: the rule's required scopes are not all among the token's effective
  // scopes. The door appends `, scope="<required>"` (the rule's precompiled `scopeChallenge`).
  insufficient_scope: { ...denied('insufficient scope'), wwwAuthenticate: 'Bearer realm="oauth2-gateway", error="insufficient_scope"' },
  // require_https (docs/tls.md): a credential-bearing request over plain HTTP.
  https_required: denied('HTTPS is required'),

  params_missing: badRequest('Authorize parameters are missing'),
  grant_type_missing: badRequest('grant_type is missing'),
  unsupported_grant_type: badRequest('grant type is not supported.', 'unsupported_grant_type'),
  client_id_missing: badRequest('client_id is missing'),
  client_secret_missing: badRequest('client_secret is missing'),
  multiple_client_auth: badRequest('use one client authentication method: HTTP Basic or client_id/client_secret parameters, not both'),
  bad_content_type: badRequest('Invalid or unsupported content-type'),
  bad_request_body: badRequest('malformed request body'),
  invalid_client: badRequest('invalid client_id or client_secret', 'invalid_client'),
  invalid_client_basic: tokenEndpoint(401, 'invalid client_id or client_secret', 'invalid_client', 'Basic realm="oauth2-gateway"'),
  // RFC 8705 §2 (docs/tls.md): client_id without a secret where certificate authentication is
  // offered, and no certificate registered for that client_id came with it. The same answer for an
  // unknown client_id, a client_secret consumer and a wrong or missing certificate: no oracle.
  invalid_client_certificate: tokenEndpoint(401, 'client authentication failed: no client_secret, and no client certificate registered for this client_id was presented over TLS', 'invalid_client'),
  body_too_large: tokenEndpoint(413, 'request body too large (max 64 KiB)', 'invalid_request'),
  method_not_allowed: tokenEndpoint(405, 'method not allowed; use GET or POST', 'invalid_request', undefined, { allow: 'GET, POST' }),
  too_many_attempts: tokenEndpoint(429, 'too many failed client authentications; retry later', 'invalid_client'),
  token_https_required: badRequest('HTTPS is required'),
  // SPEC §8.2: a requested scope outside the RFC 6749 §3.3 charset; one the consumer's list lacks (msg names it).
  invalid_scope: badRequest('scope must be space-delimited scope tokens (RFC 6749 §3.3: printable ASCII except space, " and \\)', 'invalid_scope'),
  scope_not_allowed: badRequest('scope is not allowed for this client', 'invalid_scope'),

  no_route: { status: 404, outcome: 'no_route', msg: 'no route' },
  upstream_unavailable: { status: 502, outcome: 'upstream_error', msg: 'upstream unavailable' },
  upstream_timeout: { status: 504, outcome: 'upstream_error', msg: 'upstream timed out' },
  bad_request: { status: 400, outcome: 'bad_request', msg: 'bad request' },
  bad_path: { status: 400, outcome: 'bad_request', msg: 'bad request: the path has an encoded slash or backslash, a dot segment, a ; parameter, a # or a byte outside printable ASCII' },
  repeated_header: { status: 400, outcome: 'bad_request', msg: 'bad request: Host or the auth header is sent more than once' },
  // TRACE makes an upstream echo the request, credentials included (cross-site tracing): refused on every route.
  trace_refused: { status: 405, outcome: 'bad_request', msg: 'method TRACE is not allowed', headers: { allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' } },
  websocket_refused: { status: 501, outcome: 'bad_request', msg: 'WebSocket upgrades are not supported' },
  internal_error: { status: 500, outcome: 'internal_error', msg: 'internal error' },

  revocation_method_not_allowed: tokenEndpoint(405, 'method not allowed; use POST', 'invalid_request', undefined, { allow: 'POST' }),
  // RFC 7009 §2.2.1: the token may still be valid; the client should retry.
  store_unavailable: tokenEndpoint(503, 'revocation could not be stored; retry', 'temporarily_unavailable', undefined, { 'retry-after': '1' }),

  bad_check_request: { status: 400, outcome: 'bad_request', msg: 'check request lacks a header its shape needs' },
  unknown_check_path: { status: 404, outcome: 'bad_request', msg: 'unknown check path: use /envoy/<path>, /nginx or /forward' },
});

/** Token-endpoint codes answer with the RFC 6749 body shape (`error`, `error_description`). */
export function isTokenEndpointFailure(code: FailureCode): code is TokenEndpointFailure {
  return FAILURES[code].error !== undefined;
}

/**
 * The JSON body for a failure. `reason` is the typed code (never a secret), so a client or an
 * operator can tell `expired` from `bad_signature` without parsing prose.
 * `msgOverride` is for messages that carry request data (the unsupported grant type's name).
 */
export function failureBody(code: FailureCode, msgOverride?: string): Record<string, unknown> {
  code = FAILURES[code].answerAs ?? code;
  const f = FAILURES[code];
  const msg = msgOverride ?? f.msg;
  if (f.error) return { code: f.status, msg, error: f.error, error_description: msg, reason: code };
  return { code: f.status, msg, reason: code };
}
