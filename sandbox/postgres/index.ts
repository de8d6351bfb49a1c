/** PostgreSQL for tests, benchmarks and the demo: find or start a server, make throw-away databases on it. */
export { resolvePostgresServer } from './postgres-server';
export type { PostgresServer } from './postgres-server';
export { createScratchDatabase } from './scratch-database';
export type { ScratchDatabase } from './scratch-database';
