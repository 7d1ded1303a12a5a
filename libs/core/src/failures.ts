/**
 * Every way a gateway request can be refused, as a typed code. ONE table maps a code to its
 * status, message and headers; nothing else in the code base spells these out.
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

export type AccessFailure = 'audience_mismatch' | 'not_allowed';

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
  | 'body_too_large'
  | 'method_not_allowed'
  | 'too_many_attempts';

export type GatewayFailure = 'no_route' | 'upstream_unavailable' | 'upstream_timeout' | 'bad_request';

export type FailureCode = VerifyFailure | AccessFailure | TokenEndpointFailure | GatewayFailure;

export interface FailureInfo {
  status: number;
  /** The `msg` of the JSON body (Higress wording). */
  msg: string;
  /** RFC 6749 §5.2 error code, for token-endpoint failures. */
  error?: string;
  /** `WWW-Authenticate` value, if any. */
  wwwAuthenticate?: string;
}

export const BEARER_REALM = 'Bearer realm="oauth2-gateway"';
const INVALID_TOKEN = 'Bearer realm="oauth2-gateway", error="invalid_token"';

const jwt = (reason: string): FailureInfo => ({ status: 401, msg: `Invalid Jwt token: ${reason}`, wwwAuthenticate: INVALID_TOKEN });
const denied = (reason: string): FailureInfo => ({ status: 403, msg: `Access Denied: ${reason}` });
const badRequest = (msg: string, error = 'invalid_request'): FailureInfo => ({ status: 400, msg, error });

export const FAILURES: Readonly<Record<FailureCode, FailureInfo>> = Object.freeze({
  // SPEC §3.5: no credentials at all carries no error code (RFC 6750 §3.1).
  missing_token: { status: 401, msg: 'Invalid Jwt token: missing token', wwwAuthenticate: BEARER_REALM },
  bad_scheme: jwt('authorization scheme must be Bearer followed by one token'),
  malformed: jwt('malformed token'),
  bad_typ: jwt('typ must be at+jwt'),
  bad_alg: jwt('alg must be HS256, or the alg of the signing key named by kid'),
  bad_header: jwt('unsupported header parameter'),
  unknown_client: jwt('unknown client_id'),
  bad_signature: jwt('signature verification failed'),
  bad_claims: jwt('claim of the wrong type'),
  bad_issuer: jwt('issuer mismatch'),
  bad_subject: jwt('subject does not match the client'),
  expired: jwt('token is expired'),
  not_yet_valid: jwt('token is not yet valid'),
  bad_lifetime: jwt('token lifetime exceeds token_ttl'),
  revoked: jwt('token has been revoked'),

  audience_mismatch: denied('token audience does not include this route'),
  not_allowed: denied('consumer is not allowed here'),

  params_missing: badRequest('Authorize parameters are missing'),
  grant_type_missing: badRequest('grant_type is missing'),
  unsupported_grant_type: badRequest('grant type is not supported.', 'unsupported_grant_type'),
  client_id_missing: badRequest('client_id is missing'),
  client_secret_missing: badRequest('client_secret is missing'),
  multiple_client_auth: badRequest('use one client authentication method: HTTP Basic or client_id/client_secret parameters, not both'),
  bad_content_type: badRequest('Invalid or unsupported content-type'),
  bad_request_body: badRequest('malformed request body'),
  invalid_client: badRequest('invalid client_id or client_secret', 'invalid_client'),
  invalid_client_basic: { status: 401, msg: 'invalid client_id or client_secret', error: 'invalid_client', wwwAuthenticate: 'Basic realm="oauth2-gateway"' },
  body_too_large: { status: 413, msg: 'request body too large (max 64 KiB)', error: 'invalid_request' },
  method_not_allowed: { status: 405, msg: 'method not allowed; use GET or POST', error: 'invalid_request' },
  too_many_attempts: { status: 429, msg: 'too many failed client authentications; retry later', error: 'invalid_client' },

  no_route: { status: 404, msg: 'no route' },
  upstream_unavailable: { status: 502, msg: 'upstream unavailable' },
  upstream_timeout: { status: 504, msg: 'upstream timed out' },
  bad_request: { status: 400, msg: 'bad request' },
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
  const f = FAILURES[code];
  const msg = msgOverride ?? f.msg;
  if (f.error) return { code: f.status, msg, error: f.error, error_description: msg, reason: code };
  return { code: f.status, msg, reason: code };
}
