// Jest 30 reads `testTimeout` from the top-level config only, so the per-project value is passed as
// the `TEST_TIMEOUT_MS` global (jest.config.js) and applied here, before each test file runs.
if (typeof TEST_TIMEOUT_MS === 'number') jest.setTimeout(TEST_TIMEOUT_MS);
