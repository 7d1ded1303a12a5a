// Environment loading shared by the gateway and the admin API (framework-free apart from class-validator).
export * from './env-loader';
export * from './shared-env';
export * from './tls-files';
