import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ADMIN_TOKEN, AdminTokenInfo } from './tokens';

const PUBLIC = 'admin:public';
/** Marks a handler that needs no admin token (only /healthz). */
export const Public = () => SetMetadata(PUBLIC, true);

/** Error thrown for a missing or wrong admin token; the filter adds `WWW-Authenticate: Bearer`. */
export class AdminAuthError extends UnauthorizedException {}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Every /v1 call needs `Authorization: Bearer <admin token>` (SPEC §5). Both sides are hashed first so
 * timingSafeEqual compares equal-length buffers and the token's length does not leak through timing.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(
    private readonly reflector: Reflector,
    @Inject(ADMIN_TOKEN) admin: AdminTokenInfo,
  ) {
    this.expected = digest(admin.token);
  }

  canActivate(ctx: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    const header = ctx.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers.authorization;
    if (typeof header !== 'string' || header.length === 0) throw new AdminAuthError('admin token required (Authorization: Bearer <token>)');
    const m = /^Bearer +(\S+) *$/i.exec(header);
    if (!m || !timingSafeEqual(digest(m[1]), this.expected)) throw new AdminAuthError('invalid admin token');
    return true;
  }
}
