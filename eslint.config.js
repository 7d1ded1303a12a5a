// @ts-check
'use strict';
// Lint: typescript-eslint's recommended rules, plus the import boundaries that encode the layering
// (CONTRIBUTING.md "Layers"). A forbidden import fails `npm run lint`, which `npm test` runs.
const tseslint = require('typescript-eslint');

const FRAMEWORKS = ['@nestjs/*', 'typeorm', 'express', 'better-sqlite3', 'pg', 'undici', 'class-validator', 'class-transformer', 'commander', 'prom-client', 'pino'];
const banned = (names, message) => names.map((name) => ({ group: [name], message }));
const restrict = (patterns, allowTypeImports = false) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns: patterns.map((p) => ({ ...p, allowTypeImports })) }],
});
const NO_APPS = { group: ['**/apps/**', 'apps/**'], message: 'libs never import apps (only libs/testing, which is test support)' };
const SPECS = ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.inproc-spec.ts'];

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'apps/console/dist/**', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off', // JSON off the wire in tests and the CLI
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  // core: pure TypeScript: no framework, no database, no network, no other lib.
  {
    files: ['libs/core/src/**/*.ts'],
    ignores: SPECS,
    rules: restrict([
      ...banned([...FRAMEWORKS, 'jose', 'node:http', 'node:https', 'node:net', 'node:fs'], 'libs/core is pure: no framework, database, network or file import'),
      { group: ['@oauth2/*'], message: 'libs/core imports no other lib' },
      NO_APPS,
    ]),
  },
  // token: node:crypto and jose only; core's types (type-only imports) are its vocabulary.
  {
    files: ['libs/token/src/**/*.ts'],
    ignores: SPECS,
    rules: restrict(
      [
        ...banned(FRAMEWORKS, 'libs/token imports no framework or database'),
        { group: ['@oauth2/store', '@oauth2/contracts', '@oauth2/config', '@oauth2/testing'], message: 'libs/token imports no other lib (type-only imports of @oauth2/core are allowed)' },
        { group: ['@oauth2/core'], message: 'libs/token may import only types from @oauth2/core' },
        NO_APPS,
      ],
      true,
    ),
  },
  // The other libs: never an app; typeorm only in libs/store.
  { files: ['libs/{store,contracts,config}/src/**/*.ts'], ignores: SPECS, rules: restrict([NO_APPS]) },
  {
    files: ['libs/contracts/src/**/*.ts', 'libs/config/src/**/*.ts'],
    ignores: SPECS,
    rules: restrict([...banned(['typeorm', 'better-sqlite3', 'pg'], 'only libs/store talks to the database'), NO_APPS]),
  },
  // The CLI is an HTTP client of the admin API: no store, no database, no server framework.
  {
    files: ['apps/cli/src/**/*.ts'],
    rules: restrict([
      ...banned(['@oauth2/store', 'typeorm', 'better-sqlite3', 'pg', '@nestjs/*'], 'oauth2ctl talks to the admin API only'),
      { group: ['**/gateway/**', '**/admin-api/**'], message: 'apps never import each other' },
    ]),
  },
  {
    files: ['apps/gateway/src/**/*.ts'],
    rules: restrict([{ group: ['**/admin-api/**', '**/cli/**', '**/console/**'], message: 'apps never import each other' }, ...banned(['typeorm'], 'only libs/store talks to the database')]),
  },
  {
    files: ['apps/admin-api/src/**/*.ts'],
    rules: restrict([{ group: ['**/gateway/**', '**/cli/**'], message: 'apps never import each other' }, ...banned(['typeorm'], 'only libs/store talks to the database')]),
  },
);
