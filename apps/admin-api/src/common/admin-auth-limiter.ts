import { FailedAuthLimiter } from '@oauth2/token';

/** Wrong admin tokens allowed per source address and window before it gets 429 (per process). */
export const ADMIN_MAX_AUTH_FAILURES = 10;
export const ADMIN_AUTH_FAILURE_WINDOW_S = 60;

/**
 * The admin token's guessing budget, keyed by the TCP peer address (never X-Forwarded-For, which
 * any client writes). The env's `OAUTH2_ADMIN_MAX_AUTH_FAILURES` (0 disables) and
 * `OAUTH2_ADMIN_AUTH_FAILURE_WINDOW_S` set it (docs/configuration.md).
 */
export function createAdminAuthLimiter(env: { OAUTH2_ADMIN_MAX_AUTH_FAILURES: number; OAUTH2_ADMIN_AUTH_FAILURE_WINDOW_S: number }): FailedAuthLimiter {
  return new FailedAuthLimiter({ maxFailures: env.OAUTH2_ADMIN_MAX_AUTH_FAILURES, windowSeconds: env.OAUTH2_ADMIN_AUTH_FAILURE_WINDOW_S });
}
