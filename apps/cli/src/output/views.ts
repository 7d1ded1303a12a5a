/**
 * The table-mode views, one file per resource, so every command prints the same resource the same
 * way (`-o json` prints the API's document instead). Commands import them from here.
 */
export * from './common.view';
export * from './consumers.view';
export * from './routes.view';
export * from './rules.view';
export * from './settings.view';
export * from './apply.view';
export * from './keys.view';
export * from './revocations.view';
export * from './explain.view';
export * from './status.view';
export * from './admin-access.view';
