// Public API of the token lib: issue and verify RFC 9068 access tokens (format: docs/higress-mapping.md; checks: docs/request-flow.md): HS256 with
// the client secret (Higress), or RS256 / ES256 / EdDSA with a gateway signing key (docs/signing-keys.md).
export * from './token-api';
export { extractBearerToken, type BearerResult } from './bearer';
export { verifyAccessToken, decodeUnverified, MAX_TOKEN_LENGTH } from './verify';
export { issueAccessToken, issueAccessTokenWithKey, ISSUED_HEADER_JSON } from './issue';
export * from './signing-keys';
export { VerifiedTokenCache, verifyWithCache, CACHED_CLAIMS, DEFAULT_CACHE_MAX, DEFAULT_CACHE_MAX_BYTES, MAX_CACHED_TOKEN_LENGTH, type VerifiedToken } from './cache';
export { createTokenVerifier, verifyOptionsOf } from './verifier';
// Counting failed client authentications (token endpoint, revocation endpoint, admin API tokens): both apps use it, and it hashes with node:crypto, which libs/core (bundled into the console) must not.
export * from './failed-auth-limiter';
