import { describeError } from '../errors/app-error';
import { existsSync, mkdirSync, statSync, statfsSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  sql,
  type Driver,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
} from 'kysely';
import type { PortalPurge, StoreLifecycle } from '../module';
import pg from 'pg';
import type { Database } from './database.types';
import { createExclusiveLock, type WithExclusiveLock } from './exclusive-lock';
import { BASELINE_MIGRATIONS } from './migrations/baseline-migrations';
import { createSqliteWriteTurn, SqliteDialectWithTurn } from './sqlite-write-turn';
import { withKeptStatements } from './sqlite-statements';
import { createPostgresListen } from './notifications';
import { POSTGRES_COMMIT_LEVELS, withCommitLevels } from './rebuildable-writes';
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
  /**
   * For /readyz: can the service store and serve right now: the database answers, its schema is the one
   * this code migrates to (not a database recreated empty under a running service), and it takes writes.
   */
  ping(): Promise<{ ok: boolean; dialect: StoreDialect; error?: string }>;
  /**
   * SQLite: why the file at DATABASE_URL's path is no longer the one this process writes (deleted, or
   * another file moved there), else null; always null on PostgreSQL. A stat: cheap enough per request.
   */
  fileProblem(): string | null;
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

/**
 * mkdir -p, one level at a time: Node 20's recursive mkdir never returns under /proc (it spins at 100%
 * CPU), where a level-by-level one fails at once with the reason.
 */
function createFolders(folder: string): void {
  if (existsSync(folder)) return;
  createFolders(path.dirname(folder));
  mkdirSync(folder);
}

function openSqlite(databaseUrl: string): { ctx: StoreContext; fileProblem: () => string | null } {
  const filePath = parseSqlitePath(databaseUrl);
  let database: SqliteDatabase.Database;
  try {
    if (filePath !== ':memory:') createFolders(path.dirname(path.resolve(filePath)));
    database = new SqliteDatabase(filePath);
  } catch (error) {
    // better-sqlite3 says only "unable to open database file": which file is what an operator needs.
    throw new StoreConfigError(
      `DATABASE_URL: cannot open the SQLite database ${path.resolve(filePath)}: ${describeError(error)}`,
    );
  }
  database.pragma('journal_mode = WAL');
  // FULL, not NORMAL: in WAL mode NORMAL can lose the last commits on power loss, and a webhook batch
  // HubSpot got a 2xx for is never delivered again.
  database.pragma('synchronous = FULL');
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  database.pragma('foreign_keys = ON');
  const writeTurn = createSqliteWriteTurn({ maxWaitMs: SQLITE_BUSY_TIMEOUT_MS });
  const ctx: StoreContext = {
    db: new Kysely<Database>({
      dialect: new SqliteDialectWithTurn({ database: withKeptStatements(database) }, writeTurn),
    }),
    dialect: 'sqlite',
    sqlite: database,
    sqliteWriteTurn: writeTurn,
  };
  if (filePath === ':memory:') return { ctx, fileProblem: () => null };
  ctx.sqliteFilePath = path.resolve(filePath);
  return { ctx, fileProblem: watchSqliteFile(ctx.sqliteFilePath, database) };
}

/**
 * The SQLite file this process opened, by identity (device and inode). Deleted, or replaced by another
 * file moved to its path, it still takes every write through the handle this process holds, and all of
 * it is gone at the next start. So the service stops acknowledging (webhooks 503) and is not ready,
 * until a restart opens whatever file is at the path then, migrating a new one. Meanwhile, once, it
 * saves what the unlinked file holds next to the path (SQLite's online backup: asynchronous, pages at
 * a time), as the one copy an operator may still want.
 */
function watchSqliteFile(filePath: string, database: SqliteDatabase.Database): () => string | null {
  const opened = statSync(filePath);
  let rescue: string | null = null;
  const startRescue = () => {
    const target = `${filePath}.rescued-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    rescue = `what it held is being saved to ${target}`;
    database.backup(target).then(
      () => (rescue = `what it held was saved to ${target}`),
      (error: unknown) => (rescue = `what it held could not be saved to ${target}: ${describeError(error)}`),
    );
  };
  return () => {
    let what: string;
    try {
      const current = statSync(filePath);
      if (current.ino === opened.ino && current.dev === opened.dev) return null;
      what = 'was replaced by another file';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        return `cannot check the SQLite database ${filePath}: ${describeError(error)}`;
      }
      what = 'was deleted';
    }
    if (rescue === null) startRescue();
    return (
      `the SQLite database ${filePath} ${what} while the service had it open: nothing is stored any ` +
      `more (webhooks are answered 503, HubSpot retries them); ${rescue}; restart the service to open ` +
      `the file now at that path (a missing one is created and migrated)`
    );
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
  return new Kysely<Database>({ dialect: new PostgresDialectWithCommitLevels({ pool }) });
}

/** Kysely's PostgreSQL dialect whose connections get the commit level their caller's scope asks for. */
class PostgresDialectWithCommitLevels extends PostgresDialect {
  override createDriver(): Driver {
    return withCommitLevels(super.createDriver(), POSTGRES_COMMIT_LEVELS);
  }
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
  let fileProblem = (): string | null => null;
  if (databaseUrl.startsWith('sqlite:')) {
    ({ ctx, fileProblem } = openSqlite(databaseUrl));
  } else if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    ctx = { db: openPostgres(databaseUrl), dialect: 'postgres', listen: createPostgresListen(databaseUrl) };
  } else {
    throw new StoreConfigError('DATABASE_URL: expected sqlite:<path> or postgres://...');
  }
  const { db, dialect } = ctx;
  const migrations = composeMigrations(options.migrations);
  const migrationProvider: MigrationProvider = { getMigrations: async () => migrations };
  // The schema a running service needs: /readyz refuses a database behind it (or emptied under it).
  const latestMigration = Object.keys(migrations).sort().at(-1)!;
  const closeHooks: Array<() => Promise<void>> = [];
  const purges: PortalPurge[] = [];

  return {
    dialect,
    context: ctx,
    withExclusiveLock: createExclusiveLock(ctx),
    onClose: (close) => closeHooks.push(close),
    onPurgePortal: (purge) => purges.push(purge),
    portalPurges: () => purges,

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

    fileProblem,

    async ping() {
      const lost = fileProblem();
      if (lost) return { ok: false, dialect, error: lost };
      try {
        await sql`select 1`.execute(db);
      } catch (error) {
        return { ok: false, dialect, error: describeError(error) };
      }
      const problem = (await schemaProblem(db, latestMigration)) ?? (await writeProblem(ctx));
      return problem ? { ok: false, dialect, error: problem } : { ok: true, dialect };
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
function composeMigrations(moduleMigrations: Readonly<Record<string, Migration>>): Record<string, Migration> {
  const all: Record<string, Migration> = { ...BASELINE_MIGRATIONS };
  for (const [name, migration] of Object.entries(moduleMigrations)) {
    if (name in all) throw new Error(`migration ${name} is declared twice`);
    all[name] = migration;
  }
  return all;
}

/** Why the schema is not the one the service runs on, or null when it is. */
async function schemaProblem(db: Kysely<Database>, latestMigration: string): Promise<string | null> {
  let latest: string | undefined;
  try {
    // Kysely's own bookkeeping table, outside the Database type.
    const rows = await sql<{
      name: string;
    }>`select name from kysely_migration order by name desc limit 1`.execute(db);
    latest = rows.rows[0]?.name;
  } catch {
    latest = undefined;
  }
  if (latest === latestMigration) return null;
  if (latest === undefined) {
    return `the database has no schema (recreated empty?): restart the service to migrate it to ${latestMigration}`;
  }
  return `the database schema is at ${latest}, this service needs ${latestMigration}: restart the service to migrate it`;
}

/**
 * Below this much free space on the SQLite file's disk, writes are about to fail (SQLITE_FULL): the
 * WAL and a checkpoint need room, and every webhook would be answered 503.
 */
const SQLITE_MIN_FREE_DISK_BYTES = 16 * 1024 * 1024;

/** Why the database would refuse a write right now, or null when it would not. */
async function writeProblem(ctx: StoreContext): Promise<string | null> {
  if (ctx.dialect === 'sqlite') {
    if (!ctx.sqliteFilePath) return null;
    const folder = path.dirname(ctx.sqliteFilePath);
    const disk = statfsSync(folder);
    const free = disk.bavail * disk.bsize;
    if (free < SQLITE_MIN_FREE_DISK_BYTES) {
      return `the disk holding ${folder} is full (${Math.floor(free / 1024)} KiB free): webhooks cannot be stored`;
    }
    return null;
  }
  // A server in recovery (a standby) or set read-only answers queries but refuses every write.
  const rows = await sql<{
    read_only: string;
  }>`select current_setting('transaction_read_only') as read_only`.execute(ctx.db);
  return rows.rows[0]?.read_only === 'on'
    ? 'the PostgreSQL server is read-only (a standby?): writes are refused'
    : null;
}
