/** What a non-token request needs (SPEC §4). */
export type AuthDecision = 'pass' | 'authenticate' | 'authenticate_allow';

/** Which row of the SPEC §4 table applied: for the explainer and the logs. */
export type AuthRow = 'global_auth=true' | 'global_auth=false' | 'global_auth unset, no rules' | 'global_auth unset, rules exist';

export function authRow(globalAuth: boolean | null, anyRuleExists: boolean): AuthRow {
  if (globalAuth === true) return 'global_auth=true';
  if (globalAuth === false) return 'global_auth=false';
  return anyRuleExists ? 'global_auth unset, rules exist' : 'global_auth unset, no rules';
}

/**
 * SPEC §4: a request with a rule always authenticates and checks the allow-list; one without is
 * authenticated when global_auth is true, or unset with no rules at all; otherwise it passes.
 */
export function decideAuth(globalAuth: boolean | null, anyRuleExists: boolean, requestHasRule: boolean): AuthDecision {
  if (requestHasRule) return 'authenticate_allow';
  if (globalAuth === true) return 'authenticate';
  if (globalAuth === false) return 'pass';
  return anyRuleExists ? 'pass' : 'authenticate';
}
