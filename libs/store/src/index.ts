// Public API of the store lib: the only code in the tree that imports typeorm.
export * from './store-api';
export type { ApplyChanges, RuleChangeView } from './apply-changes';
export { countChanges } from './apply-changes';
export { StoreError, isBusy } from './errors';
export { openStore } from './open';
export { describeDatabase, isPostgresUrl } from './dialect';
export { ensureAdminToken } from './files';
export { decodeMasterKey } from './secret-box';
