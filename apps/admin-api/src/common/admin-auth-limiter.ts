import { FailedAuthLimiter } from '@oauth2/token';

/** Wrong admin tokens allowed per source address and window before it gets 429 (per process). */
export const ADMIN_MAX_AUTH_FAILURES = 10;
export const ADMIN_AUTH_FAILURE_WINDOW_S = 60;

/**
 * The admin token's guessing budget, keyed by the TCP peer address (never X-Forwarded-For, which
 * any client writes). `OAUTH2_ADMIN_MAX_AUTH_FAILURES` (0 disables) and
 * `OAUTH2_ADMIN_AUTH_FAILURE_WINDOW_S` override the defaults.
 */
export function createAdminAuthLimiter(env: NodeJS.ProcessEnv = process.env): FailedAuthLimiter {
  const int = (v: string | undefined, d: number, min: number, name: string): number => {
    if (v === undefined || v.trim() === '') return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name}: ${JSON.stringify(v)} must be an integer >= ${min}`);
    return n;
  };
  return new FailedAuthLimiter({
    maxFailures: int(env.OAUTH2_ADMIN_MAX_AUTH_FAILURES, ADMIN_MAX_AUTH_FAILURES, 0, 'OAUTH2_ADMIN_MAX_AUTH_FAILURES'),
    windowSeconds: int(env.OAUTH2_ADMIN_AUTH_FAILURE_WINDOW_S, ADMIN_AUTH_FAILURE_WINDOW_S, 1, 'OAUTH2_ADMIN_AUTH_FAILURE_WINDOW_S'),
  });
}
