import { resolvePostgresServer, type PostgresServer } from '../../sandbox/postgres';

/** Read by postgres.global-teardown.ts: jest runs both hooks in its own process, sharing globalThis. */
export interface PostgresGlobal {
  sopTestPostgres?: PostgresServer;
}

/**
 * Picks the PostgreSQL server once for the whole run, before any worker starts: the workers inherit
 * TEST_POSTGRES_URL, which test-databases.ts reads.
 */
export default async function setupPostgres(): Promise<void> {
  const server = await resolvePostgresServer();
  (globalThis as PostgresGlobal).sopTestPostgres = server;
  process.env.TEST_POSTGRES_URL = server.adminUrl;
  process.stdout.write(`\nPostgreSQL for this run: ${server.description}\n`);
}
