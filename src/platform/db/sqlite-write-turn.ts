import { SqliteDialect, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';
import { delegatingDriver } from './delegating-driver';
import { SQLITE_COMMIT_LEVELS, withCommitLevels } from './rebuildable-writes';

/**
 * The turn to use a SQLite file, shared between the main thread's connection and the webhook journal's
 * writer thread (src/modules/intake/sqlite-journal-writer.worker.cjs) through shared memory.
 *
 * better-sqlite3 waits for SQLite's write lock synchronously (busy_timeout, sleeping 1 to 100 ms at a
 * time): a main-thread write that met the writer thread's commit froze the event loop that answers
 * HubSpot, often for longer than the commit itself. With the turn, the main thread waits for the writer
 * asynchronously (Atomics.waitAsync) and is woken the moment the writer's commit ends; the writer, on its
 * own thread, may block (Atomics.wait). The database's own locks still decide correctness: the turn only
 * decides who goes next inside this process, and a waiter gives up on it after a bound and goes ahead.
 */
export interface SqliteWriteTurn {
  /** Shared with the writer thread (workerData); its first Int32 is the turn: FREE, MAIN or WRITER. */
  readonly buffer: SharedArrayBuffer;
  acquire(): Promise<void>;
  release(): void;
}

// Node 20 has it (V8); TypeScript's lib declares it from ES2024 on, and this project targets ES2023.
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      array: Int32Array,
      index: number,
      value: number,
      timeoutMs: number,
    ): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

/** Values of the turn word; the writer thread uses the same numbers. */
export const TURN_FREE = 0;
export const TURN_MAIN = 1;
export const TURN_WRITER = 2;

export function createSqliteWriteTurn(options: { maxWaitMs: number }): SqliteWriteTurn {
  const buffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const word = new Int32Array(buffer);
  // Whether this thread holds the turn or went ahead without it (a waiter that gave up): release frees
  // only a turn it holds.
  let held = false;
  return {
    buffer,
    async acquire() {
      const deadline = Date.now() + options.maxWaitMs;
      for (;;) {
        const seen = Atomics.compareExchange(word, 0, TURN_FREE, TURN_MAIN);
        if (seen === TURN_FREE) {
          held = true;
          return;
        }
        const left = deadline - Date.now();
        if (left <= 0) {
          held = false;
          return;
        }
        const waiting = waitAsync(word, 0, seen, left);
        if (waiting.async) await waiting.value;
      }
    },
    release() {
      if (!held) return;
      held = false;
      Atomics.store(word, 0, TURN_FREE);
      Atomics.notify(word, 0);
    },
  };
}

/** Longest run of back-to-back statements on the main connection before the event loop gets a turn. */
const STATEMENT_SLICE_MS = 10;

/**
 * Kysely's SQLite dialect whose one connection is used only while holding the turn: Kysely already
 * serialises the connection (a query, or a whole transaction), so the turn is taken and given back at
 * the same points. Each use also gets the commit level its caller's scope asks for (rebuildable-writes.ts).
 */
export class SqliteDialectWithTurn extends SqliteDialect {
  constructor(
    config: SqliteDialectConfig,
    private readonly turn: SqliteWriteTurn,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const { turn } = this;
    let sliceStartedAt = 0;
    return withCommitLevels(
      delegatingDriver(driver, {
        async acquireConnection(): Promise<DatabaseConnection> {
          // better-sqlite3 runs each statement synchronously and Kysely resolves at once, so a chain of
          // awaited statements (a guidance read, a job's rows) never gave the event loop back: a profile
          // of the intake bench showed stretches of 200-700 ms of back-to-back statements, and the
          // webhook acks' p99 followed the longest. Between statements (never inside a transaction, and
          // without the turn) the event loop gets its turn at least every STATEMENT_SLICE_MS.
          if (performance.now() - sliceStartedAt > STATEMENT_SLICE_MS) {
            await new Promise<void>((resolve) => setImmediate(resolve));
            sliceStartedAt = performance.now();
          }
          const connection = await driver.acquireConnection();
          await turn.acquire();
          return connection;
        },
        async releaseConnection(connection) {
          turn.release();
          await driver.releaseConnection(connection);
        },
      }),
      SQLITE_COMMIT_LEVELS,
    );
  }
}
