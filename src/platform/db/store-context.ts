import { randomBytes } from 'node:crypto';
import type SqliteDatabase from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.types';
import type { SqliteWriteTurn } from './sqlite-write-turn';
import type { Listen } from './notifications';

export type StoreDialect = 'sqlite' | 'postgres';

/** What every repository needs: the query builder and which database it talks to. */
export interface StoreContext {
  db: Kysely<Database>;
  dialect: StoreDialect;
  /**
   * On SQLite, the better-sqlite3 handle under `db`, for hot paths that run prepared statements
   * synchronously. Use it only inside `withSqliteConnection`: Kysely shares the one connection, and a
   * statement run while one of its transactions waits on an await would land inside that transaction.
   */
  sqlite?: SqliteDatabase.Database;
  /** On SQLite, the database file (absent for `:memory:`), for connections of other threads. */
  sqliteFilePath?: string;
  /** On SQLite, the turn that connections of other threads of this process take too (sqlite-write-turn.ts). */
  sqliteWriteTurn?: SqliteWriteTurn;
  /** On PostgreSQL, hearing other instances' notifications (notifications.ts). */
  listen?: Listen;
}

/** Runs of a PostgreSQL write transaction that the server may abort as a deadlock victim. */
const DEADLOCK_ATTEMPTS = 3;

/**
 * Run `work` in one write transaction. On SQLite the transaction starts IMMEDIATE so it takes the write
 * lock up front: a deferred one that reads first can fail with SQLITE_BUSY when it tries to write after
 * another process did, and busy_timeout does not help there. `work` must use only the `trx` it is given:
 * on SQLite the single connection is held for the whole call, so touching `ctx.db` inside deadlocks.
 *
 * On PostgreSQL a transaction the server aborts as a deadlock victim is run again, up to
 * DEADLOCK_ATTEMPTS times: the insight triggers update shared figure rows from the deals, write-back and
 * exception tables, so transactions touching several deals (a write-back completion, a re-pin, the
 * inbox's upserts, other instances) can meet in opposite orders. `work` must therefore keep its state
 * inside the transaction (every caller builds what it returns from `trx` alone).
 */
export async function runWriteTransaction<T>(
  ctx: StoreContext,
  work: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (ctx.dialect === 'postgres') {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await ctx.db.transaction().execute((trx) => work(trx));
      } catch (error) {
        if (attempt >= DEADLOCK_ATTEMPTS || !isDeadlockVictim(error)) throw error;
      }
    }
  }
  return ctx.db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      // SQLite may already have rolled back on its own (e.g. disk full); the original error is what matters.
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
  });
}

/**
 * PostgreSQL aborted the transaction to break a deadlock (SQLSTATE 40P01): the other transaction went
 * through, and running this one again from the start is what PostgreSQL's documentation advises.
 */
function isDeadlockVictim(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '40P01';
}

/**
 * Runs synchronous work on the raw SQLite handle while holding Kysely's single connection, so that no
 * Kysely transaction is open (or opens) on it meanwhile.
 */
export async function withSqliteConnection<T>(
  ctx: StoreContext,
  work: (database: SqliteDatabase.Database) => T,
): Promise<T> {
  const database = ctx.sqlite;
  if (!database) throw new Error('withSqliteConnection needs a SQLite store');
  return ctx.db.connection().execute(async () => work(database));
}

let lastIdMs = 0;
let idSequence = 0;

const ID_TAIL_BYTES = 6;
// randomBytes costs a call into the system RNG each time (~10% of webhook intake's CPU at one call per
// event): draw the tails from a pool refilled a few thousand ids at a time instead.
const ID_TAIL_POOL_BYTES = ID_TAIL_BYTES * 4096;
let idTailPool = Buffer.alloc(0);
let idTailOffset = 0;

function nextIdTail(): string {
  if (idTailOffset + ID_TAIL_BYTES > idTailPool.length) {
    idTailPool = randomBytes(ID_TAIL_POOL_BYTES);
    idTailOffset = 0;
  }
  const tail = idTailPool.toString('hex', idTailOffset, idTailOffset + ID_TAIL_BYTES);
  idTailOffset += ID_TAIL_BYTES;
  return tail;
}

/**
 * Text ids that sort in creation order within a process, so that append-only logs fold in the order
 * they were written even when two entries share a millisecond; the random tail keeps them unique
 * across processes.
 */
export function generateSortableId(): string {
  const ms = Math.max(Date.now(), lastIdMs);
  idSequence = ms === lastIdMs ? idSequence + 1 : 0;
  lastIdMs = ms;
  return `${ms.toString(36).padStart(9, '0')}${idSequence.toString(36).padStart(4, '0')}${nextIdTail()}`;
}

export function toEpochMs(date: Date): number {
  return date.getTime();
}

export function toEpochMsOrNull(date: Date | null | undefined): number | null {
  return date ? date.getTime() : null;
}

export function fromEpochMsOrNull(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}
