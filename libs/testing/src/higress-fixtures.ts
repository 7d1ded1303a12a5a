/**
 * TEST DATA ONLY: configurations and tokens minted by the Higress gateway's Go OAuth2 plugin, as
 * published in the Higress repository (github.com/alibaba/higress, Apache-2.0):
 *   test/e2e/conformance/tests/go-wasm-oauth-{basic,empty-consumer,expired-token,global-auth,route-auth}.{go,yaml}
 * and the example response of the plugin documentation (plugins/wasm-go/extensions/oauth/README.md,
 * /work/shared/seeds/000_6cd53316cd7d9932.txt). No Higress code: only the values its tests use,
 * so we can prove tokens interoperate (a Higress token verifies here under the same config).
 * `expectStatus` is what the Higress test expects of the whole request; `expect` is what our
 * verifier alone must answer (a 403 in Higress is a token that verified, then failed authorization).
 */

export interface HigressConsumerFixture {
  name: string;
  client_id: string;
  client_secret: string;
}

export interface HigressConfigFixture {
  source: string;
  issuer: string;
  auth_path: string;
  global_credentials: boolean;
  auth_header_name: string;
  token_ttl: number;
  clock_skew_seconds: number;
  keep_token: boolean;
  /** undefined = unset. */
  global_auth?: boolean;
  consumers: HigressConsumerFixture[];
  /** matchRules in document order: `ingress` route names or `domain` patterns, with `allow`. */
  rules: { ingress?: string[]; domain?: string[]; allow: string[] }[];
}

const CONSUMER1 = { name: 'consumer1', client_id: '9515b564-0b1d-11ee-9c4c-00163e1250b5', client_secret: '9e55de56-0b1d-11ee-b8ec-00163e1250b5' };
const CONSUMER2 = { name: 'consumer2', client_id: '8521b564-0b1d-11ee-9c4c-00163e1250b5', client_secret: '8520b564-0b1d-11ee-9c4c-00163e1250b5' };
const CONSUMER3 = { name: 'consumer3', client_id: '4987b564-0b1d-11ee-9c4c-00163e1250b5', client_secret: '498766s4-0b1d-11ee-9c4c-00163e1250b5' };
const CONSUMER4 = { name: 'consumer4', client_id: '5559qv64-0b1d-11ee-9c4c-00163e1250b5', client_secret: '58as2a84-0b1d-11ee-9c4c-00163e1250b5' };

const BASE = { issuer: 'Higress-Gateway', auth_path: '/oauth2/token', auth_header_name: 'Authorization', token_ttl: 7200, keep_token: true };

export const HIGRESS_CONFIGS = {
  basic: {
    ...BASE,
    source: 'test/e2e/conformance/tests/go-wasm-oauth-basic.yaml',
    global_credentials: true,
    clock_skew_seconds: 3153600000,
    consumers: [CONSUMER1, CONSUMER2, CONSUMER3, CONSUMER4],
    rules: [
      { ingress: ['higress-conformance-infra/wasmplugin-oauth', 'asd'], allow: ['consumer1'] },
      { domain: ['*.example.com', 'foo.com'], allow: ['consumer3'] },
    ],
  },
  emptyConsumer: {
    ...BASE,
    source: 'test/e2e/conformance/tests/go-wasm-oauth-empty-consumer.yaml',
    global_credentials: true,
    clock_skew_seconds: 3153600000,
    consumers: [],
    rules: [{ ingress: ['higress-conformance-infra/wasmplugin-oauth'], allow: [] }],
  },
  expiredToken: {
    ...BASE,
    source: 'test/e2e/conformance/tests/go-wasm-oauth-expired-token.yaml',
    global_credentials: true,
    clock_skew_seconds: 60,
    consumers: [CONSUMER1],
    rules: [{ ingress: ['higress-conformance-infra/wasmplugin-oauth'], allow: ['consumer1'] }],
  },
  globalAuth: {
    ...BASE,
    source: 'test/e2e/conformance/tests/go-wasm-oauth-global-auth.yaml',
    global_credentials: true,
    clock_skew_seconds: 3153600000,
    global_auth: false,
    consumers: [CONSUMER1, CONSUMER2],
    rules: [
      { ingress: ['higress-conformance-infra/wasmplugin-oauth1'], allow: ['consumer1'] },
      { ingress: ['higress-conformance-infra/wasmplugin-oauth2'], allow: [] },
    ],
  },
  routeAuth: {
    ...BASE,
    source: 'test/e2e/conformance/tests/go-wasm-oauth-route-auth.yaml',
    global_credentials: false,
    clock_skew_seconds: 3153600000,
    consumers: [CONSUMER1],
    rules: [{ ingress: ['higress-conformance-infra/wasmplugin-oauth'], allow: ['consumer1'] }],
  },
  /** The plugin documentation's example (its token was minted 2023-06-28 with the default skew). */
  seedDoc: {
    ...BASE,
    source: 'plugins/wasm-go/extensions/oauth/README.md (seeds/000_6cd53316cd7d9932.txt)',
    global_credentials: true,
    clock_skew_seconds: 60,
    consumers: [
      { name: 'consumer1', client_id: '12345678-xxxx-xxxx-xxxx-xxxxxxxxxxxx', client_secret: 'abcdefgh-xxxx-xxxx-xxxx-xxxxxxxxxxxx' },
      { name: 'consumer2', client_id: '87654321-xxxx-xxxx-xxxx-xxxxxxxxxxxx', client_secret: 'hgfedcba-xxxx-xxxx-xxxx-xxxxxxxxxxxx' },
    ],
    rules: [],
  },
} satisfies Record<string, HigressConfigFixture>;

export type HigressConfigName = keyof typeof HIGRESS_CONFIGS;

/** Tokens as Higress minted them (claims decoded in the comments). */
export const HIGRESS_TOKENS = {
  /** consumer1, aud default, iat 1701411559, exp 1701418759. */
  consumer1:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6ImFwcGxpY2F0aW9uL2F0K2p3dCJ9.eyJhdWQiOiJkZWZhdWx0IiwiY2xpZW50X2lkIjoiOTUxNWI1NjQtMGIxZC0xMWVlLTljNGMtMDAxNjNlMTI1MGI1IiwiZXhwIjoxNzAxNDE4NzU5LCJpYXQiOjE3MDE0MTE1NTksImlzcyI6IkhpZ3Jlc3MtR2F0ZXdheSIsImp0aSI6IjQ0YTMzYjc4LWNmYWItNGYzYS1iZDQ3LTQ1Y2Y5ZjM0YjVmZSIsInN1YiI6ImNvbnN1bWVyMSJ9.EIDCTVx4Wt6u5fRngFwgRo-qfDSKp6sUg4fKA7MYpuE',
  /** consumer2, aud default, iat 1701416755, exp 1701423955. */
  consumer2:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6ImFwcGxpY2F0aW9uL2F0K2p3dCJ9.eyJhdWQiOiJkZWZhdWx0IiwiY2xpZW50X2lkIjoiODUyMWI1NjQtMGIxZC0xMWVlLTljNGMtMDAxNjNlMTI1MGI1IiwiZXhwIjoxNzAxNDIzOTU1LCJpYXQiOjE3MDE0MTY3NTUsImlzcyI6IkhpZ3Jlc3MtR2F0ZXdheSIsImp0aSI6IjU1NDVkZDRhLWU4YjYtNDY2NC04ZDE4LWY3Yjk5YWVmYzQ1YyIsInN1YiI6ImNvbnN1bWVyMiJ9.FhxLbFFW0h3O3S8MH3vjFRj54xSmQIVVEC8IxGNpIcU',
  /** client_id 95155a64-0b1d-1qee-9c4c-001qwe1250b5 (no such consumer), sub "". */
  unknownClient:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6ImFwcGxpY2F0aW9uL2F0K2p3dCJ9.eyJhdWQiOiJkZWZhdWx0IiwiY2xpZW50X2lkIjoiOTUxNTVhNjQtMGIxZC0xcWVlLTljNGMtMDAxcXdlMTI1MGI1IiwiZXhwIjoxNzAxMzYzODc0LCJpYXQiOjE3MDEzNTY2NzQsImlzcyI6IkhpZ3Jlc3MtR2F0ZXdheSIsImp0aSI6IjYyM2UyMmQ5LTc1MTctNGEwOC04ZDc2LTliZjBlNDljYjEyYyIsInN1YiI6IiJ9.IB2-T_v9aHRfOyd_QQcNIMtdjA8q5pHfCeixMi5-b0E',
  /** consumer1 with global_credentials=false config, aud default (so 403 on the route). */
  routeAudDefault:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6ImFwcGxpY2F0aW9uL2F0K2p3dCJ9.eyJhdWQiOiJkZWZhdWx0IiwiY2xpZW50X2lkIjoiOTUxNWI1NjQtMGIxZC0xMWVlLTljNGMtMDAxNjNlMTI1MGI1IiwiZXhwIjoxNzAxNTI2MDY2LCJpYXQiOjE3MDE1MTg4NjYsImlzcyI6IkhpZ3Jlc3MtR2F0ZXdheSIsImp0aSI6Ijc4MDYwYjVmLWRiY2EtNDljZi04MmM2LWEwNzRiY2UyY2QzZCIsInN1YiI6ImNvbnN1bWVyMSJ9.NOu7nDL7ebRoV7AnBx2L_JS4dp-G7b9ERk-s2YPS2BI',
  /** consumer1, aud higress-conformance-infra/wasmplugin-oauth (the route's name). */
  routeAudRoute:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6ImFwcGxpY2F0aW9uL2F0K2p3dCJ9.eyJhdWQiOiJoaWdyZXNzLWNvbmZvcm1hbmNlLWluZnJhL3dhc21wbHVnaW4tb2F1dGgiLCJjbGllbnRfaWQiOiI5NTE1YjU2NC0wYjFkLTExZWUtOWM0Yy0wMDE2M2UxMjUwYjUiLCJleHAiOjE3MDE1MjYwNjYsImlhdCI6MTcwMTUxODg2NiwiaXNzIjoiSGlncmVzcy1HYXRld2F5IiwianRpIjoiNzgwNjBiNWYtZGJjYS00OWNmLTgyYzYtYTA3NGJjZTJjZDNkIiwic3ViIjoiY29uc3VtZXIxIn0.Hml1oK6Vkzd_G5AAAQFFHJ_O20JjeXts8XZxBvGjheA',
  /** The doc's example: header written by an older Go encoder as {"alg":"HS256","typ":"application\/at+jwt"}; iat 1687944263, exp 1687951463. */
  seedDoc:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6ImFwcGxpY2F0aW9uXC9hdCtqd3QifQ.eyJhdWQiOiJkZWZhdWx0IiwiY2xpZW50X2lkIjoiMTIzNDU2NzgteHh4eC14eHh4LXh4eHgteHh4eHh4eHh4eHh4IiwiZXhwIjoxNjg3OTUxNDYzLCJpYXQiOjE2ODc5NDQyNjMsImlzcyI6IkhpZ3Jlc3MtR2F0ZXdheSIsImp0aSI6IjEwOTU5ZDFiLThkNjEtNGRlYy1iZWE3LTk0ODEwMzc1YjYzYyIsInN1YiI6ImNvbnN1bWVyMSJ9.NkT_rG3DcV9543vBQgneVqoGfIhVeOuUBwLJJ4Wycb0',
} as const;

export interface HigressCaseFixture {
  /** The Higress test case it comes from. */
  source: string;
  config: HigressConfigName;
  /** The exact `Authorization` header value sent. */
  authorization: string;
  /** Host and path of the request, and the route it matches in Higress (namespace/ingress). */
  host: string;
  path: string;
  route: string;
  /** The status the Higress test expects. */
  expectStatus: 200 | 401 | 403;
  /** What our token lib alone answers: 'ok' or the failure code. */
  expect: 'ok' | 'bad_scheme' | 'malformed' | 'unknown_client' | 'expired';
  /** A clock (seconds) at which the case is evaluated: tokens are from 2023; huge skews keep them valid. */
  now: number;
}

/** A fixed "today" for the configs with Higress' 100-year skew. */
export const HIGRESS_NOW = 1_760_000_000;

const R = 'higress-conformance-infra/wasmplugin-oauth';
export const HIGRESS_CASES: HigressCaseFixture[] = [
  {
    source: 'go-wasm-oauth-basic.go scene 2 case 1: not a bearer token',
    config: 'basic',
    authorization: 'alksdjf',
    host: 'foo.com',
    path: '/foo',
    route: R,
    expectStatus: 401,
    expect: 'bad_scheme',
    now: HIGRESS_NOW,
  },
  {
    source: "go-wasm-oauth-basic.go scene 2 case 2: token not fit jwt's format",
    config: 'basic',
    authorization: 'Bearer alksdjf',
    host: 'foo.com',
    path: '/foo',
    route: R,
    expectStatus: 401,
    expect: 'malformed',
    now: HIGRESS_NOW,
  },
  {
    source: 'go-wasm-oauth-basic.go scene 2 case 3: invalid token',
    config: 'basic',
    authorization: `Bearer ${HIGRESS_TOKENS.unknownClient}`,
    host: 'foo.com',
    path: '/foo',
    route: R,
    expectStatus: 401,
    expect: 'unknown_client',
    now: HIGRESS_NOW,
  },
  {
    source: "go-wasm-oauth-basic.go scene 4 case 1: client not in the route's allowset",
    config: 'basic',
    authorization: `Bearer ${HIGRESS_TOKENS.consumer2}`,
    host: 'foo.com',
    path: '/foo',
    route: R,
    expectStatus: 403,
    expect: 'ok',
    now: HIGRESS_NOW,
  },
  {
    source: "go-wasm-oauth-basic.go scene 4 case 2: client in the route's allowset",
    config: 'basic',
    authorization: `Bearer ${HIGRESS_TOKENS.consumer1}`,
    host: 'foo.com',
    path: '/foo',
    route: R,
    expectStatus: 200,
    expect: 'ok',
    now: HIGRESS_NOW,
  },
  {
    source: 'go-wasm-oauth-empty-consumer.go case 1: empty consumer',
    config: 'emptyConsumer',
    authorization: `Bearer ${HIGRESS_TOKENS.unknownClient}`,
    host: 'foo.com',
    path: '/foo',
    route: R,
    expectStatus: 401,
    expect: 'unknown_client',
    now: HIGRESS_NOW,
  },
  {
    source: 'go-wasm-oauth-expired-token.go case 1: expired token',
    config: 'expiredToken',
    authorization: `Bearer ${HIGRESS_TOKENS.consumer1}`,
    host: 'foo.com',
    path: '/foo',
    route: R,
    expectStatus: 401,
    expect: 'expired',
    now: HIGRESS_NOW,
  },
  {
    source: 'go-wasm-oauth-global-auth.go case 2: client in the allowset',
    config: 'globalAuth',
    authorization: `Bearer ${HIGRESS_TOKENS.consumer1}`,
    host: 'foo1.com',
    path: '/foo',
    route: `${R}1`,
    expectStatus: 200,
    expect: 'ok',
    now: HIGRESS_NOW,
  },
  {
    source: 'go-wasm-oauth-global-auth.go case 3: client not in the allowset',
    config: 'globalAuth',
    authorization: `Bearer ${HIGRESS_TOKENS.consumer2}`,
    host: 'foo1.com',
    path: '/foo',
    route: `${R}1`,
    expectStatus: 403,
    expect: 'ok',
    now: HIGRESS_NOW,
  },
  {
    source: 'go-wasm-oauth-route-auth.go case 1: audience not match this route',
    config: 'routeAuth',
    authorization: `Bearer ${HIGRESS_TOKENS.routeAudDefault}`,
    host: 'foo.com',
    path: '/foo',
    route: R,
    expectStatus: 403,
    expect: 'ok',
    now: HIGRESS_NOW,
  },
  {
    source: 'go-wasm-oauth-route-auth.go case 2: audience match this route',
    config: 'routeAuth',
    authorization: `Bearer ${HIGRESS_TOKENS.routeAudRoute}`,
    host: 'foo.com',
    path: '/foo',
    route: R,
    expectStatus: 200,
    expect: 'ok',
    now: HIGRESS_NOW,
  },
  {
    source: 'oauth plugin README: example token used right after issue',
    config: 'seedDoc',
    authorization: `Bearer ${HIGRESS_TOKENS.seedDoc}`,
    host: 'test.com',
    path: '/',
    route: '',
    expectStatus: 200,
    expect: 'ok',
    now: 1687944263 + 10,
  },
];
