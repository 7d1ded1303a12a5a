// The `e2e-lean` jest project (jest.config.js): the upstream-facing suites again, with the gateways they
// spawn on the lean upstream client (the children inherit this environment, libs/testing/src/processes.ts).
process.env.GATEWAY_UPSTREAM_CLIENT = 'lean';
