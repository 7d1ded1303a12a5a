import { authRow, decideAuth, type AuthDecision, type AuthRow } from './decide';

describe('decideAuth (every row of the global_auth table, docs/request-flow.md)', () => {
  it.each<[boolean | null, boolean, boolean, AuthDecision, AuthRow]>([
    // global_auth, any rule exists, this request has a rule -> decision
    [true, true, true, 'authenticate_allow', 'global_auth=true'],
    [true, true, false, 'authenticate', 'global_auth=true'],
    [true, false, false, 'authenticate', 'global_auth=true'],
    [false, true, true, 'authenticate_allow', 'global_auth=false'],
    [false, true, false, 'pass', 'global_auth=false'],
    [false, false, false, 'pass', 'global_auth=false'],
    [null, false, false, 'authenticate', 'global_auth unset, no rules'],
    [null, true, true, 'authenticate_allow', 'global_auth unset, rules exist'],
    [null, true, false, 'pass', 'global_auth unset, rules exist'],
  ])('global_auth=%s, rules exist=%s, request has rule=%s -> %s', (ga, any, has, decision, row) => {
    expect(decideAuth(ga, any, has)).toBe(decision);
    expect(authRow(ga, any)).toBe(row);
  });
});
