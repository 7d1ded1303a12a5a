// Test-only fixtures. Each file has one owner; see the file's header.
export * from './temp-dir';
export * from './processes';
export * from './jwt-craft';
export * from './echo-upstream';
export * from './gateway-process';
export * from './faults';
export * from './postgres';
export * from './severing-proxy';
export * from './higress-doc-configs';
export * from './store-per-test';
export * from './cli';
export * from './seeded-stack';
export * from './nginx';
export * from './higress-fixtures';
export * from './test-certs';
