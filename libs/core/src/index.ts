export * from './settings';
export * from './names';
export * from './model';
export * from './failures';
export * from './route-match';
export * from './rule-match';
export * from './decide';
export * from './snapshot';
