// Public API of the token lib: issue and verify HS256 RFC 9068 access tokens (SPEC §3.4, §3.5).
export * from './token-api';
export { extractBearerToken, type BearerResult } from './bearer';
export { verifyAccessToken, decodeUnverified, MAX_TOKEN_LENGTH } from './verify';
export { issueAccessToken, ISSUED_HEADER_JSON } from './issue';
export { VerifiedTokenCache, verifyWithCache, DEFAULT_CACHE_MAX, type VerifiedToken } from './cache';
