import { BEARER_REALM, FAILURES, failureBody, isTokenEndpointFailure, type FailureCode } from './failures';

const codes = Object.keys(FAILURES) as FailureCode[];

describe('the failure table', () => {
  const verifyCodes: FailureCode[] = [
    'bad_scheme',
    'malformed',
    'bad_typ',
    'bad_alg',
    'bad_header',
    'unknown_client',
    'bad_signature',
    'bad_claims',
    'bad_issuer',
    'bad_subject',
    'expired',
    'not_yet_valid',
    'revoked',
  ];

  it.each(verifyCodes)('%s: 401 "Invalid Jwt token: ..." with error="invalid_token"', (code) => {
    const f = FAILURES[code];
    expect(f.status).toBe(401);
    expect(f.msg).toMatch(/^Invalid Jwt token: \S/);
    expect(f.wwwAuthenticate).toBe('Bearer realm="oauth2-gateway", error="invalid_token"');
    const answered = f.answerAs ?? code;
    expect(failureBody(code)).toEqual({ code: 401, msg: FAILURES[answered].msg, reason: answered });
  });

  it('unknown_client is answered exactly as bad_signature (no client_id existence oracle)', () => {
    expect(failureBody('unknown_client')).toEqual(failureBody('bad_signature'));
    expect(FAILURES.unknown_client.answerAs).toBe('bad_signature');
  });

  it('missing_token: 401 with a challenge that carries no error code (RFC 6750 §3.1)', () => {
    expect(FAILURES.missing_token).toMatchObject({ status: 401, wwwAuthenticate: BEARER_REALM });
    expect(BEARER_REALM).toBe('Bearer realm="oauth2-gateway"');
  });

  it.each<FailureCode>(['audience_mismatch', 'not_allowed'])('%s: 403 "Access Denied: ..." without a challenge', (code) => {
    expect(FAILURES[code].status).toBe(403);
    expect(FAILURES[code].msg).toMatch(/^Access Denied: \S/);
    expect(FAILURES[code].wwwAuthenticate).toBeUndefined();
    expect(failureBody(code)).toEqual({ code: 403, msg: FAILURES[code].msg, reason: code });
  });

  it.each<[FailureCode, number, string, string]>([
    ['params_missing', 400, 'invalid_request', 'Authorize parameters are missing'],
    ['grant_type_missing', 400, 'invalid_request', 'grant_type is missing'],
    ['client_id_missing', 400, 'invalid_request', 'client_id is missing'],
    ['client_secret_missing', 400, 'invalid_request', 'client_secret is missing'],
    ['bad_content_type', 400, 'invalid_request', 'Invalid or unsupported content-type'],
    ['invalid_client', 400, 'invalid_client', 'invalid client_id or client_secret'],
    ['invalid_client_basic', 401, 'invalid_client', 'invalid client_id or client_secret'],
  ])('%s: %i %s "%s" (token endpoint)', (code, status, error, msg) => {
    expect(isTokenEndpointFailure(code)).toBe(true);
    expect(failureBody(code)).toEqual({ code: status, msg, error, error_description: msg, reason: code });
  });

  it('the unsupported grant type message carries the type, as Higress words it', () => {
    const body = failureBody('unsupported_grant_type', 'grant type password is not supported.');
    expect(body).toEqual({
      code: 400,
      msg: 'grant type password is not supported.',
      error: 'unsupported_grant_type',
      error_description: 'grant type password is not supported.',
      reason: 'unsupported_grant_type',
    });
  });

  it('Basic client auth failures challenge with Basic', () => {
    expect(FAILURES.invalid_client_basic.wwwAuthenticate).toMatch(/^Basic /);
  });

  it.each<[FailureCode, number]>([
    ['no_route', 404],
    ['upstream_unavailable', 502],
    ['upstream_timeout', 504],
    ['body_too_large', 413],
    ['method_not_allowed', 405],
  ])('%s: %i', (code, status) => {
    expect(failureBody(code)).toMatchObject({ code: status, reason: code });
  });

  it('no_route answers {"code":404,"msg":"no route"}', () => {
    expect(failureBody('no_route')).toMatchObject({ code: 404, msg: 'no route' });
  });

  it.each(codes)('%s: the body code equals the status, and only token-endpoint codes carry error', (code) => {
    const body = failureBody(code);
    expect(body.code).toBe(FAILURES[code].status);
    expect('error' in body).toBe(isTokenEndpointFailure(code));
  });

  it('the table is frozen', () => {
    expect(Object.isFrozen(FAILURES)).toBe(true);
  });
});

describe('docs/request-flow.md', () => {
  const doc = require('node:fs').readFileSync(require('node:path').join(__dirname, '../../../docs/request-flow.md'), 'utf8') as string;
  it.each(codes)('lists %s in the refusal table with its status', (code) => {
    const f = FAILURES[FAILURES[code].answerAs ?? code];
    expect(doc).toMatch(new RegExp(`^\\| \`${code}\` \\| ${f.status} \\| ${FAILURES[code].outcome} \\|`, 'm'));
  });
});
