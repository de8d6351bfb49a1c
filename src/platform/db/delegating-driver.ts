import type { DatabaseConnection, Driver } from 'kysely';

/**
 * `driver` with its connection's taking and giving back replaced, everything else passed through: the
 * one place that lists Kysely's Driver methods for the dialects that wrap theirs (rebuildable-writes.ts,
 * sqlite-write-turn.ts).
 */
export function delegatingDriver(
  driver: Driver,
  overrides: {
    acquireConnection(): Promise<DatabaseConnection>;
    releaseConnection?(connection: DatabaseConnection): Promise<void>;
  },
): Driver {
  return {
    init: () => driver.init(),
    acquireConnection: () => overrides.acquireConnection(),
    beginTransaction: (connection, settings) => driver.beginTransaction(connection, settings),
    commitTransaction: (connection) => driver.commitTransaction(connection),
    rollbackTransaction: (connection) => driver.rollbackTransaction(connection),
    savepoint: driver.savepoint?.bind(driver),
    rollbackToSavepoint: driver.rollbackToSavepoint?.bind(driver),
    releaseSavepoint: driver.releaseSavepoint?.bind(driver),
    releaseConnection: (connection) =>
      overrides.releaseConnection
        ? overrides.releaseConnection(connection)
        : driver.releaseConnection(connection),
    destroy: () => driver.destroy(),
  };
}
