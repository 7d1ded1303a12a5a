/** Injection tokens of the values main.ts opens before Nest starts (so start-up failures are one line). */
export const STORE = Symbol('ConfigStore');
export const ENV = Symbol('EnvConfig');
export const ADMIN_TOKEN = Symbol('AdminToken');

/** The admin token in force and where it came from (the file path is logged; the token never). */
export interface AdminTokenInfo {
  token: string;
  /** `admin.token` path, or null when the token came from OAUTH2_ADMIN_TOKEN. */
  file: string | null;
}
