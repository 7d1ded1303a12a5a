/**
 * Who may call what (docs/admin-api.md, "Admin access"). Every route declares the role it needs
 * with `@Role(...)`, beside its `@Get`/`@Post`; the one guard (admin-token.guard.ts) reads it. A
 * route without a declaration is refused (500) for every caller, and test/admin-roles.e2e-spec.ts
 * walks every route of the app and fails on one without. A write route also names its audit
 * action (`@Role('operator', 'consumer.create')`): the audit interceptor records it.
 */
import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { AdminRole } from '@oauth2/store';

export const ROLE_KEY = 'admin:role';
export const AUDIT_ACTION_KEY = 'admin:audit-action';

const RANK: Record<AdminRole, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether `have` includes `need` (viewer < operator < admin). */
export const roleIncludes = (have: AdminRole, need: AdminRole): boolean => RANK[have] >= RANK[need];

/** A request as the role rule sees it (the raw query: it runs before validation). */
export interface RoleRequest {
  query: Record<string, unknown>;
}

/** The role a route needs: fixed, or computed from the request (GET /v1/export?redact=...). */
export type RoleRule = AdminRole | ((req: RoleRequest) => AdminRole);

/** The role this route needs, and for a write the audit action it records (e.g. `consumer.create`). */
export function Role(role: RoleRule, auditAction?: string): MethodDecorator {
  const shown = typeof role === 'string' ? role : 'depends on the request (see the description)';
  return applyDecorators(SetMetadata(ROLE_KEY, role), SetMetadata(AUDIT_ACTION_KEY, auditAction), ApiExtension('x-required-role', shown));
}

export function neededRole(rule: RoleRule, req: RoleRequest): AdminRole {
  return typeof rule === 'function' ? rule(req) : rule;
}
