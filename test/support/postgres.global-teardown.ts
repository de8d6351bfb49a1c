import type { PostgresGlobal } from './postgres.global-setup';

/** Stops the embedded server the global setup started, if it started one, and waits until it is gone. */
export default async function teardownPostgres(): Promise<void> {
  await (globalThis as PostgresGlobal).sopTestPostgres?.stop();
}
