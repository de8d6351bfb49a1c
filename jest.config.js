/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', tsx: true },
      transform: { react: { runtime: 'automatic' } },
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/extensions'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  transform: { '^.+\\.(t|j|mj)sx?$': swc },
  // @hubspot/ui-extensions ships ESM only: let swc turn it (and its runtime deps) into CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!(@hubspot/ui-extensions|@remote-ui|tinyspy)/)'],
  // One PostgreSQL server for the whole run: the machine's, TEST_POSTGRES_URL's, or an embedded one.
  globalSetup: '<rootDir>/test/support/postgres.global-setup.ts',
  globalTeardown: '<rootDir>/test/support/postgres.global-teardown.ts',
  // Three on two cores: most suites wait (timers, the local HubSpot, the database) far more than they
  // compute (exception-detection.test.ts: 74 s wall, 12 s CPU), and the whole run was near 19 minutes.
  maxWorkers: 3,
  testTimeout: 30000,
};
