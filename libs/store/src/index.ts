// Public API of the store lib: the only code in the tree that imports typeorm.
export * from './store-api';
export type { ApplyChanges, RuleChangeView } from './apply-changes';
export { countChanges } from './apply-changes';
export { StoreError, isBusy } from './errors';
export { openStore } from './open';
export { describeDatabase, isPostgresUrl } from './dialect';
export { ensureAdminToken } from './files';
export { decodeMasterKey } from './secret-box';
export { withAudit } from './audit';
export { hashAdminToken, ROOT_TOKEN_NAME, MIN_EXPIRES_IN, MAX_EXPIRES_IN } from './admin-tokens';
