import pino, { type Logger } from 'pino';

/**
 * One JSON logger per process. Redaction is a safety net: call sites never pass tokens, secrets or
 * query strings of token requests in the first place.
 */
export function createLogger(bindings: Record<string, unknown> = {}): Logger {
  return pino({
    base: { app: 'gateway', pid: process.pid, ...bindings },
    // ISO 8601, as the admin API logs: one time format across both apps (and npm start).
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['authorization', 'headers.authorization', 'client_secret', 'token', 'access_token'], censor: '[redacted]' },
  });
}

export type { Logger };
