/**
 * One pino logger (JSON lines on stdout) for the whole process, and a Nest LoggerService over it so
 * framework messages are JSON too. Nothing logged here may hold a secret: callers log names, ids,
 * paths without query strings, and file paths — never tokens or client secrets.
 */
import type { LoggerService } from '@nestjs/common';
import pino from 'pino';

export const logger = pino({ base: { app: 'admin-api', pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });

export class PinoNestLogger implements LoggerService {
  log(message: unknown, context?: string): void {
    // Nest's per-route "Mapped {...}" lines are noise at info level.
    logger.debug({ context }, String(message));
  }
  error(message: unknown, stackOrContext?: string, context?: string): void {
    logger.error({ context: context ?? stackOrContext }, String(message));
  }
  warn(message: unknown, context?: string): void {
    logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    logger.trace({ context }, String(message));
  }
}
