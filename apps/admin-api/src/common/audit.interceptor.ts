import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { countChanges, withAudit, type ApplyChanges, type AuditIntent } from '@oauth2/store';
import { Observable } from 'rxjs';
import { callerOf } from './admin-token.guard';
import { requestIdOf } from './request-id';
import { AUDIT_ACTION_KEY } from './roles';

type Req = { params?: Record<string, string>; query?: Record<string, unknown>; body?: unknown; socket?: { remoteAddress?: string } };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const len = (v: unknown): number | undefined => (Array.isArray(v) ? v.length : undefined);

/**
 * What an audit row says about a write: its target (the name / id / kid it is about) and a summary
 * of field NAMES and counts. Values are never copied: a body's keys only (`client_secret` may be
 * named, its value never), an apply's changes as counts per kind, a delete's rule counts.
 */
export function describeWrite(action: string, req: Req, result: unknown): { target: string | null; summary: Record<string, unknown> } {
  const p = req.params ?? {};
  const r = isObject(result) ? result : {};
  const id = p.name ?? p.id ?? p.kid ?? r.name ?? r.kid ?? r.id;
  const target = action === 'apply' ? 'config' : action === 'settings.update' ? 'settings' : id === undefined || id === null ? null : String(id);
  if (action === 'apply') return { target, summary: countChanges(r.changes as ApplyChanges) };
  if (action.endsWith('.delete')) {
    const summary: Record<string, unknown> = {};
    if (req.query?.force !== undefined) summary.force = req.query.force === 'true' || req.query.force === true;
    for (const k of ['rules_updated', 'rules_deleted', 'rules_emptied']) if (len(r[k]) !== undefined) summary[k] = len(r[k]);
    return { target, summary };
  }
  const summary: Record<string, unknown> = { fields: isObject(req.body) ? Object.keys(req.body).sort() : [] };
  if (action === 'admin_token.create' && typeof r.role === 'string') summary.role = r.role;
  return { target, summary };
}

/**
 * Runs a write route's handler inside `withAudit` (libs/store/src/audit.ts): the store's write
 * wrapper then inserts the audit row in the write's own transaction, with the caller the guard
 * found, the action the route declares (roles.ts), the request id and the source address.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const action = this.reflector.get<string | undefined>(AUDIT_ACTION_KEY, ctx.getHandler());
    const req = ctx.switchToHttp().getRequest<Req>();
    const caller = callerOf(req);
    if (!action || !caller) return next.handle();
    const intent: AuditIntent = {
      actor: { name: caller.name, role: caller.role, source_ip: req.socket?.remoteAddress, request_id: requestIdOf(req) },
      action,
      describe: (result) => describeWrite(action, req, result),
    };
    return new Observable((sub) => withAudit(intent, () => next.handle().subscribe(sub)));
  }
}
