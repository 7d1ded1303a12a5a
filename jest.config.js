/**
 * Four tiers (CONTRIBUTING.md "Tests"):
 * - `unit`: pure specs beside the code (`*.spec.ts`), no database, no network.
 * - `integration`: specs beside the code that open a real database (`*.integration.spec.ts`).
 * - `inproc`: test/ `*.inproc-spec.ts`, the admin API module and the gateway handler started in the
 *   test process on a temp SQLite store and port 0; ts-jest compiles the sources, no build needed.
 * - `e2e`: test/ `*.e2e-spec.ts`, the built apps (dist/) as real child processes.
 */
const moduleNameMapper = {
  '^@oauth2/(core|token|store|contracts|config|testing)$': '<rootDir>/libs/$1/src/index.ts',
};
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] };
const common = { testEnvironment: 'node', moduleNameMapper, transform, setupFilesAfterEnv: ['<rootDir>/test/jest-timeout.js'] };
/** Per-project test timeout (a plain `testTimeout` here is ignored by Jest 30: see test/jest-timeout.js). */
const timeout = (ms) => ({ globals: { TEST_TIMEOUT_MS: ms } });
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'], testPathIgnorePatterns: ['/node_modules/', '\\.integration\\.spec\\.ts$'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/apps/**/*.integration.spec.ts', '<rootDir>/libs/**/*.integration.spec.ts'], ...timeout(30000) },
    { ...common, displayName: 'inproc', testMatch: ['<rootDir>/test/**/*.inproc-spec.ts'], ...timeout(30000) },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], ...timeout(60000) },
  ],
};
