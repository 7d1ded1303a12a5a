/** Two tiers: `unit` (pure and store specs beside the code) and `e2e` (test/, real processes on built dist/). */
const moduleNameMapper = {
  '^@oauth2/(core|token|store|contracts|testing)$': '<rootDir>/libs/$1/src/index.ts',
};
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] };
module.exports = {
  projects: [
    { displayName: 'unit', testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'], testEnvironment: 'node', moduleNameMapper, transform },
    { displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], testEnvironment: 'node', moduleNameMapper, transform, testTimeout: 60000 },
  ],
};
