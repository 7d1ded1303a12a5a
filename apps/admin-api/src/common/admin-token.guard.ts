import { CanActivate, ExecutionContext, HttpException, HttpStatus, Inject, Injectable, InternalServerErrorException, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FailedAuthLimiter } from '@oauth2/token';
import { ROOT_TOKEN_NAME, type AdminRole, type ConfigStore } from '@oauth2/store';
import { createAdminAuthLimiter } from './admin-auth-limiter';
import type { EnvConfig } from '../config/env.config';
import { logger } from './logger';
import { neededRole, roleIncludes, ROLE_KEY, type RoleRule } from './roles';
import { ADMIN_TOKEN, AdminTokenInfo, ENV, STORE } from './tokens';

const PUBLIC = 'admin:public';
/** Marks a handler that needs no admin token (only /healthz). */
export const Public = () => SetMetadata(PUBLIC, true);

/** Error thrown for a missing or wrong admin token; the filter adds `WWW-Authenticate: Bearer`. */
export class AdminAuthError extends UnauthorizedException {}

/** A valid token whose role may not do this: 403 with `reason: forbidden_role` (oauth2ctl exits 4). */
export class ForbiddenRoleError extends HttpException {
  constructor(msg: string) {
    super({ message: msg, reason: 'forbidden_role' }, HttpStatus.FORBIDDEN);
  }
}

/** `last_used_at` is written at most this often per token (per process). */
export const LAST_USED_RESOLUTION_MS = 60_000;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** The caller, once authenticated: set on the request for the audit interceptor and the access log. */
export interface AdminCaller {
  name: string;
  role: AdminRole;
}

type Req = {
  method: string;
  path?: string;
  url?: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string };
  admin?: AdminCaller;
};
type Res = { setHeader(name: string, value: string): unknown };

export function callerOf(req: unknown): AdminCaller | undefined {
  return (req as Req).admin;
}

/**
 * Every /v1 call needs `Authorization: Bearer <admin token>` (docs/admin-api.md): the bootstrap
 * token (`root`, role admin) or a named token from the store (`/v1/admin-tokens`). The presented
 * token is hashed first: compared with root's hash in constant time, else looked up by its hash in
 * the store on every request, so a token deleted (or expired) through any admin API process is
 * refused by all of them at once. The found row's hash is compared in constant time too.
 * Wrong tokens are counted per source address (admin-auth-limiter.ts): past the budget that address
 * gets 429 + Retry-After until its window ends — even with the right token, checked before the
 * comparison, so the lock never tells a guesser which guess was right. Other addresses are unaffected.
 * Then the route's declared role (roles.ts) is checked: 403 forbidden_role when the token's role
 * does not include it; a route that declares none is refused to everyone (fail closed).
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;
  private readonly limiter: FailedAuthLimiter;
  /** Token name -> when this process last wrote its last_used_at. */
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly reflector: Reflector,
    @Inject(ADMIN_TOKEN) admin: AdminTokenInfo,
    @Inject(ENV) env: EnvConfig,
    @Inject(STORE) private readonly store: ConfigStore,
  ) {
    this.expected = digest(admin.token);
    this.limiter = createAdminAuthLimiter(env);
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    const http = ctx.switchToHttp();
    const req = http.getRequest<Req>();
    const rule = this.reflector.get<RoleRule | undefined>(ROLE_KEY, ctx.getHandler());
    if (rule === undefined) {
      logger.error({ method: req.method, path: req.path, handler: `${ctx.getClass().name}.${ctx.getHandler().name}` }, 'route declares no role: refused');
      throw new InternalServerErrorException('this route declares no role; refused');
    }
    const caller = await this.authenticate(req, http.getResponse<Res>());
    req.admin = caller;
    const need = neededRole(rule, req);
    if (!roleIncludes(caller.role, need)) {
      const what = `${req.method} ${req.path ?? req.url ?? ''}`;
      throw new ForbiddenRoleError(`role ${caller.role} may not ${what}${need === 'admin' && req.method === 'GET' ? ' (unredacted export needs admin)' : ''}; it needs ${need}`);
    }
    return true;
  }

  private async authenticate(req: Req, res: Res): Promise<AdminCaller> {
    const header = req.headers.authorization;
    if (typeof header !== 'string' || header.length === 0) throw new AdminAuthError('admin token required (Authorization: Bearer <token>)');
    const source = req.socket?.remoteAddress ?? '';
    const lock = this.limiter.check(source);
    if (lock.locked) this.tooMany(res, lock.retryAfterSeconds);
    const m = /^Bearer +(\S+) *$/i.exec(header);
    const presented = m ? digest(m[1]) : null;
    if (presented && timingSafeEqual(presented, this.expected)) return { name: ROOT_TOKEN_NAME, role: 'admin' };
    const row = presented ? await this.store.findAdminToken(presented.toString('hex')) : null;
    if (!presented || !row || !timingSafeEqual(Buffer.from(row.token_hash, 'hex'), presented)) {
      this.limiter.recordFailure(source);
      throw new AdminAuthError('invalid admin token');
    }
    if (row.expires_at !== null && Date.parse(row.expires_at) <= Date.now()) {
      this.limiter.recordFailure(source);
      throw new AdminAuthError(`invalid admin token: ${JSON.stringify(row.name)} expired at ${row.expires_at}`);
    }
    this.touch(row.name);
    return { name: row.name, role: row.role };
  }

  /** Coarse last_used_at: one write per token per minute per process, not awaited (a failure is only logged). */
  private touch(name: string): void {
    const t = Date.now();
    if (t - (this.touched.get(name) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.touched.set(name, t);
    this.store.touchAdminToken(name, new Date(t).toISOString()).catch((err) => logger.warn({ err: String(err), token_name: name }, 'could not record last_used_at'));
  }

  private tooMany(res: Res, retryAfterSeconds: number): never {
    res.setHeader('Retry-After', String(retryAfterSeconds));
    throw new HttpException(`too many wrong admin tokens from this address; retry in ${retryAfterSeconds} s`, HttpStatus.TOO_MANY_REQUESTS);
  }
}
