import { AsyncLocalStorage } from 'node:async_hooks';
import { CompiledQuery, type DatabaseConnection, type Driver } from 'kysely';
import { delegatingDriver } from './delegating-driver';

/**
 * Writes whose commit need not wait for the disk: what the inbox processor writes (journal rows moved
 * into the inbox, claims, completions, the deals projection, stage changes) and the moves exception
 * detection judged while it applies them, all of it rebuilt from the acknowledged journal and
 * HubSpot's truth if it is lost. Every other write stays fully durable.
 *
 * Why losing such a commit loses nothing:
 * - It can be lost only on a power cut or an OS crash (a killed process loses nothing: the commit is in
 *   the OS's cache), and only as a suffix of the commit history, with every commit after it. SQLite's WAL
 *   frames carry a checksum chained over all earlier frames and recovery stops at the first bad one;
 *   PostgreSQL replays its WAL in order up to the last record flushed. Losing a suffix leaves the
 *   database as a crash at that earlier moment would have, which the processor already survives (leases,
 *   idempotent applies: the kill -9 tests).
 * - The first durable commit after it (synchronous FULL on SQLite, synchronous_commit on on PostgreSQL)
 *   makes it durable too: SQLite's fsync of the WAL file covers every frame before (whichever connection
 *   wrote them), and PostgreSQL flushes its WAL up to the durable commit's record, past the earlier ones.
 * - The webhook journal's append, which every acknowledgement waits for, is never inside this scope (the
 *   writer thread's own connection on SQLite, the request's context on PostgreSQL), so an acknowledged
 *   event is on disk before HubSpot hears 2xx, as before.
 * - Outbox intents (reminders, exception reverts and notes) and their claims are recorded by the modules'
 *   listeners and jobs, which run outside this scope: each HubSpot write follows a durable commit of its
 *   intent, and that commit also makes the processor's earlier writes it was decided on durable.
 *
 * Only the calls made inside `runRebuildableWrites` are relaxed: the level is chosen each time a
 * connection is taken, which on SQLite is also outside any transaction (Kysely holds its one connection
 * for a whole transaction, and SQLite refuses to change `synchronous` inside one).
 */
const scope = new AsyncLocalStorage<true>();

export function runRebuildableWrites<T>(work: () => Promise<T>): Promise<T> {
  return scope.run(true, work);
}

/** The statements that set a connection's commit level, per dialect. */
export interface CommitLevelStatements {
  relaxed: string;
  durable: string;
}

export const SQLITE_COMMIT_LEVELS: CommitLevelStatements = {
  // WAL mode: NORMAL syncs at checkpoints only; the database stays consistent (SQLite's documentation).
  relaxed: 'pragma synchronous = NORMAL',
  durable: 'pragma synchronous = FULL',
};

export const POSTGRES_COMMIT_LEVELS: CommitLevelStatements = {
  // "off" returns before the WAL flush; a crash loses the latest such commits, never consistency.
  relaxed: 'set synchronous_commit = off',
  durable: 'set synchronous_commit = on',
};

/**
 * `driver` with each connection set, when taken, to the level its caller's scope asks for. A connection
 * starts durable (the level the database opens with) and is switched only when the scope differs from
 * the level it was left at, so the webhook acks' path pays a statement only after a processor write.
 */
export function withCommitLevels(driver: Driver, statements: CommitLevelStatements): Driver {
  const relaxedConnections = new WeakSet<DatabaseConnection>();
  return delegatingDriver(driver, {
    async acquireConnection() {
      const connection = await driver.acquireConnection();
      const relaxed = scope.getStore() === true;
      if (relaxedConnections.has(connection) !== relaxed) {
        try {
          await connection.executeQuery(CompiledQuery.raw(relaxed ? statements.relaxed : statements.durable));
        } catch (error) {
          await driver.releaseConnection(connection);
          throw error;
        }
        if (relaxed) relaxedConnections.add(connection);
        else relaxedConnections.delete(connection);
      }
      return connection;
    },
  });
}
