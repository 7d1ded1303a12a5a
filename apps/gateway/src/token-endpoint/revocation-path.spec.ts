import { isRevocationRequest, REVOKE_PATH } from './revocation-endpoint';

describe('isRevocationRequest: the target in the one normalized spelling', () => {
  it.each([
    [REVOKE_PATH, true],
    [`${REVOKE_PATH}?token=x`, true],
    ['http://gw.example/oauth2/revoke', true],
    ['/oauth2//revoke', true],
    ['/oauth2/%72evoke', true],
    ['/oauth2/revoke/', false],
    ['/oauth2/revoked', false],
    ['/oauth2/token', false],
    ['/api/revoke', false],
    ['/oauth2/%2e%2e/revoke', false],
    ['ftp://x/oauth2/revoke', false],
  ])('%s -> %s', (target, want) => expect(isRevocationRequest(target)).toBe(want));

  it('undefined is not a revocation request', () => expect(isRevocationRequest(undefined)).toBe(false));
});
