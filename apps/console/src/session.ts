/**
 * The admin token of this tab: sessionStorage only (gone when the tab closes), sent as
 * `Authorization: Bearer`, never put in a URL. Client secrets are never stored here or anywhere.
 */
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
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* storage unavailable: nothing to clear */
  }
}

/**
 * Whether the signed-in token may write. Every admin token may today; when admin roles arrive
 * this answers from the token's role and pages hide their write controls for a viewer.
 */
export function canWrite(): boolean {
  return true;
}
