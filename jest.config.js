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
  maxWorkers: 2,
  testTimeout: 30000,
};
