/**
 * The admin token of this tab: sessionStorage only (gone when the tab closes), sent as
 * `Authorization: Bearer`, never put in a URL. Client secrets are never stored here or anywhere.
 * The token's name and role come from GET /v1/whoami after sign-in (and after each reload); they
 * decide which controls a page shows. The API enforces the role anyway (403 forbidden_role).
 */
import type { AdminRoleName, WhoamiDto } from './api/types';

const KEY = 'oauth2-gateway.admin-token';

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  me = null;
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* storage unavailable: nothing to clear */
  }
}

let me: WhoamiDto | null = null;

/** Set by the app from GET /v1/whoami before any page renders. */
export function setWhoami(w: WhoamiDto | null): void {
  me = w;
}

export function whoami(): WhoamiDto | null {
  return me;
}

const RANK: Record<AdminRoleName, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether the signed-in token's role includes `role` (viewer < operator < admin). */
export function hasRole(role: AdminRoleName): boolean {
  return me !== null && RANK[me.role] >= RANK[role];
}

/** Writes on consumers, routes, rules, settings, keys, revocations and apply need operator. */
export function canWrite(): boolean {
  return hasRole('operator');
}

/** Admin tokens and the unredacted export need admin. */
export function isAdmin(): boolean {
  return hasRole('admin');
}
