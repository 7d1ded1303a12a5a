// The limiter lives in @oauth2/core (the admin API counts wrong admin tokens with it too).
export { DEFAULT_FAILURE_WINDOW_S, DEFAULT_MAX_FAILURES, DEFAULT_MAX_TRACKED, FailedAuthLimiter, type FailedAuthLimiterOptions, type LimiterVerdict } from '@oauth2/token';
