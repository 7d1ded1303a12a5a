/** What a non-token request needs (docs/request-flow.md, "Which requests need a token"). */
export type AuthDecision = 'pass' | 'authenticate' | 'authenticate_allow';

/** Which row of the global_auth table (docs/request-flow.md) applied: for the explainer and the logs. */
export type AuthRow = 'global_auth=true' | 'global_auth=false' | 'global_auth unset, no rules' | 'global_auth unset, rules exist';

export function authRow(globalAuth: boolean | null, anyRuleExists: boolean): AuthRow {
  if (globalAuth === true) return 'global_auth=true';
  if (globalAuth === false) return 'global_auth=false';
  return anyRuleExists ? 'global_auth unset, rules exist' : 'global_auth unset, no rules';
}

/**
 * A request with a rule always authenticates and checks the allow-list; one without is
 * authenticated when global_auth is true, or unset with no rules at all; otherwise it passes.
 */
export function decideAuth(globalAuth: boolean | null, anyRuleExists: boolean, requestHasRule: boolean): AuthDecision {
  if (requestHasRule) return 'authenticate_allow';
  if (globalAuth === true) return 'authenticate';
  if (globalAuth === false) return 'pass';
  return anyRuleExists ? 'pass' : 'authenticate';
}
