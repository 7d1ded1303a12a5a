import { CanActivate, ExecutionContext, HttpException, HttpStatus, Inject, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FailedAuthLimiter } from '@oauth2/token';
import { createAdminAuthLimiter } from './admin-auth-limiter';
import type { EnvConfig } from '../config/env.config';
import { ADMIN_TOKEN, AdminTokenInfo, ENV } from './tokens';

const PUBLIC = 'admin:public';
/** Marks a handler that needs no admin token (only /healthz). */
export const Public = () => SetMetadata(PUBLIC, true);

/** Error thrown for a missing or wrong admin token; the filter adds `WWW-Authenticate: Bearer`. */
export class AdminAuthError extends UnauthorizedException {}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

type Req = { headers: Record<string, string | string[] | undefined>; socket?: { remoteAddress?: string } };
type Res = { setHeader(name: string, value: string): unknown };

/**
 * Every /v1 call needs `Authorization: Bearer <admin token>` (docs/admin-api.md). Both sides are hashed first so
 * timingSafeEqual compares equal-length buffers and the token's length does not leak through timing.
 * Wrong tokens are counted per source address (admin-auth-limiter.ts): past the budget that address
 * gets 429 + Retry-After until its window ends — even with the right token, checked before the
 * comparison, so the lock never tells a guesser which guess was right. Other addresses are unaffected.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;
  private readonly limiter: FailedAuthLimiter;

  constructor(
    private readonly reflector: Reflector,
    @Inject(ADMIN_TOKEN) admin: AdminTokenInfo,
    @Inject(ENV) env: EnvConfig,
  ) {
    this.expected = digest(admin.token);
    this.limiter = createAdminAuthLimiter(env);
  }

  canActivate(ctx: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    const http = ctx.switchToHttp();
    const req = http.getRequest<Req>();
    const header = req.headers.authorization;
    if (typeof header !== 'string' || header.length === 0) throw new AdminAuthError('admin token required (Authorization: Bearer <token>)');
    const source = req.socket?.remoteAddress ?? '';
    const lock = this.limiter.check(source);
    if (lock.locked) this.tooMany(http.getResponse<Res>(), lock.retryAfterSeconds);
    const m = /^Bearer +(\S+) *$/i.exec(header);
    if (!m || !timingSafeEqual(digest(m[1]), this.expected)) {
      this.limiter.recordFailure(source);
      throw new AdminAuthError('invalid admin token');
    }
    return true;
  }

  private tooMany(res: Res, retryAfterSeconds: number): never {
    res.setHeader('Retry-After', String(retryAfterSeconds));
    throw new HttpException(`too many wrong admin tokens from this address; retry in ${retryAfterSeconds} s`, HttpStatus.TOO_MANY_REQUESTS);
  }
}
