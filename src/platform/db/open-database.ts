import { describeError } from '../errors/app-error';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
} from 'kysely';
import type { StoreLifecycle } from '../module';
import pg from 'pg';
import type { Database } from './database.types';
import { createExclusiveLock, type WithExclusiveLock } from './exclusive-lock';
import { BASELINE_MIGRATIONS } from './migrations/baseline-migrations';
import { runWriteTransaction, type StoreContext, type StoreDialect } from './store-context';

/** How long a SQLite writer waits for another process's write lock before failing. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;
const POSTGRES_POOL_MAX_CONNECTIONS = 10;
const PG_INT8_OID = 20;

/**
 * The database the modules' repositories share: its dialect, the context repositories are built on,
 * schema migration, the readiness ping and the one lock for work that must run on a single instance.
 */
export interface DatabaseHandle extends StoreLifecycle {
  readonly dialect: StoreDialect;
  readonly context: StoreContext;
  /**
   * Writes that must land together or not at all (publish a playbook and re-pin deals in progress):
   * `work` builds the repositories it needs on the context it is given, and they write inside one
   * transaction, rolled back if `work` throws.
   */
  runInTransaction<T>(work: (ctx: StoreContext) => Promise<T>): Promise<T>;
  /** Runs `work` only if no other instance holds the lock `name` (PostgreSQL advisory lock; SQLite just runs it). */
  readonly withExclusiveLock: WithExclusiveLock;
  /** Brings the schema to the latest version; safe to run at every start, from several instances at once. */
  migrate(): Promise<void>;
  /** For /readyz: can the database answer a query right now. */
  ping(): Promise<{ ok: boolean; dialect: StoreDialect; error?: string }>;
  close(): Promise<void>;
}

export class StoreConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConfigError';
  }
}

class MigrationFailure extends Error {
  constructor(readonly outcome: MigrationResultSet) {
    super('migration failed');
  }
}

/** `sqlite:<path>` (also `sqlite://<path>` and `sqlite::memory:`) to a file path better-sqlite3 opens. */
function parseSqlitePath(databaseUrl: string): string {
  const rest = databaseUrl.slice('sqlite:'.length);
  const filePath = rest.startsWith('//') ? rest.slice(2) : rest;
  if (filePath.length === 0) throw new StoreConfigError('DATABASE_URL: expected sqlite:<path>, got no path');
  return filePath;
}

function openSqlite(databaseUrl: string): StoreContext {
  const filePath = parseSqlitePath(databaseUrl);
  if (filePath !== ':memory:') mkdirSync(path.dirname(path.resolve(filePath)), { recursive: true });
  const database = new SqliteDatabase(filePath);
  database.pragma('journal_mode = WAL');
  // FULL, not NORMAL: in WAL mode NORMAL can lose the last commits on power loss, and a webhook batch
  // HubSpot got a 2xx for is never delivered again.
  database.pragma('synchronous = FULL');
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  database.pragma('foreign_keys = ON');
  return {
    db: new Kysely<Database>({ dialect: new SqliteDialect({ database }) }),
    dialect: 'sqlite',
    sqlite: database,
    sqliteFilePath: filePath === ':memory:' ? undefined : path.resolve(filePath),
  };
}

function openPostgres(databaseUrl: string): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: POSTGRES_POOL_MAX_CONNECTIONS,
    // Times are epoch milliseconds in bigint columns and counts are int8: read them as numbers (all stay
    // far below 2^53) so both dialects hand back the same types. Scoped to this pool, not process-wide.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === PG_INT8_OID && format !== 'binary'
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle pooled connection can be cut by the server (a restart, a failover, an admin's terminate).
  // The pool drops it and opens another on the next query; without a listener, pg's 'error' event
  // would crash the process instead.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Opens the database named by DATABASE_URL. Call `migrate()` before using any repository.
 * Open one database per SQLite file per process: better-sqlite3 waits for locks synchronously, so a second
 * in-process handle blocks the event loop while the first holds a write transaction across an await.
 * Separate processes (the scale-out case) are fine.
 */
export async function openDatabase(
  databaseUrl: string,
  options: { migrations: Readonly<Record<string, Migration>> },
): Promise<DatabaseHandle> {
  let ctx: StoreContext;
  if (databaseUrl.startsWith('sqlite:')) {
    ctx = openSqlite(databaseUrl);
  } else if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    ctx = { db: openPostgres(databaseUrl), dialect: 'postgres' };
  } else {
    throw new StoreConfigError('DATABASE_URL: expected sqlite:<path> or postgres://...');
  }
  const { db, dialect } = ctx;
  const migrationProvider = composeMigrations(options.migrations);
  const closeHooks: Array<() => Promise<void>> = [];

  return {
    dialect,
    context: ctx,
    withExclusiveLock: createExclusiveLock(ctx),
    onClose: (close) => closeHooks.push(close),

    runInTransaction: (work) =>
      runWriteTransaction(ctx, (trx) => {
        // No raw SQLite handle: a hot path using it would write beside the transaction, not inside it.
        return work({ db: trx, dialect });
      }),

    async migrate() {
      const { error, results } =
        dialect === 'postgres'
          ? // Kysely's PostgreSQL migrator locks its own table, so concurrent instances take turns.
            await new Migrator({ db, provider: migrationProvider }).migrateToLatest()
          : // Kysely takes no lock on SQLite (it assumes one process) and begins a deferred transaction:
            // two processes starting at once would both see "not migrated". The IMMEDIATE transaction makes
            // the second wait for the first and then find nothing left to do.
            await runWriteTransaction(ctx, async (connection) => {
              const outcome = await new Migrator({
                db: connection,
                provider: migrationProvider,
                disableTransactions: true,
              }).migrateToLatest();
              // Rethrown below with context; throwing here rolls back a half-applied migration.
              if (outcome.error) throw new MigrationFailure(outcome);
              return outcome;
            }).catch((failure: unknown) => {
              if (failure instanceof MigrationFailure) return failure.outcome;
              throw failure;
            });
      if (error) {
        const failed = results?.find((result) => result.status === 'Error')?.migrationName;
        const reason = describeError(error);
        throw new Error(`database migration ${failed ?? ''} failed: ${reason}`, { cause: error });
      }
    },

    async ping() {
      try {
        await sql`select 1`.execute(db);
        return { ok: true, dialect };
      } catch (error) {
        return { ok: false, dialect, error: describeError(error) };
      }
    },

    async close() {
      // Repositories first (the journal's writer thread answers the appends it holds) while the
      // connection still stands.
      for (const close of closeHooks) await close();
      await db.destroy();
    },
  };
}

/**
 * The baseline schema (the migrations from before capabilities had folders, which create tables of
 * several modules) followed by every module's own. Names sort in the order they run; a name used twice
 * is a programming error, reported before anything runs.
 */
function composeMigrations(moduleMigrations: Readonly<Record<string, Migration>>): MigrationProvider {
  const all: Record<string, Migration> = { ...BASELINE_MIGRATIONS };
  for (const [name, migration] of Object.entries(moduleMigrations)) {
    if (name in all) throw new Error(`migration ${name} is declared twice`);
    all[name] = migration;
  }
  return { getMigrations: async () => all };
}
