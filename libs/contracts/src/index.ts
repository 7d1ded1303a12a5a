/**
 * DTOs of the admin REST API (docs/admin-api.md), shared by apps/admin-api and the CLI's typed client.
 * Clients that only need the shapes should `import type { ... } from '@oauth2/contracts'`
 * (erased at build time, so no class-validator / swagger load).
 */
export * from './validators';
export * from './common.dto';
export * from './consumers.dto';
export * from './routes.dto';
export * from './rules.dto';
export * from './settings.dto';
export * from './apply.dto';
export * from './keys.dto';
export * from './explain.dto';
export * from './revocations.dto';
export * from './nodes.dto';
export * from './admin-access.dto';
