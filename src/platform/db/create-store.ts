import { describeError } from '../errors/app-error';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type MigrationResultSet } from 'kysely';
import pg from 'pg';
import {
  createActionCompletionRepository,
  type ActionCompletionRepository,
} from '../../modules/checklist/action-completion.repository';
import {
  createAuditTrailRepository,
  type AuditTrailRepository,
} from '../../modules/audit/audit-trail.repository';
import type { Database } from './database.types';
import {
  createDealWritebackRepository,
  type DealWritebackRepository,
} from '../../modules/writeback/deal-writeback.repository';
import { createDealRepository, type DealRepository } from '../../modules/deals/deal.repository';
import { createExclusiveLock, type WithExclusiveLock } from './exclusive-lock';
import { migrationProvider } from './migrations/migration-provider';
import {
  createPlaybookRepository,
  type PlaybookRepository,
} from '../../modules/playbooks/playbook.repository';
import { createPortalRepository, type PortalRepository } from '../../modules/portals/portal.repository';
import {
  createReminderRepository,
  type ReminderRepository,
} from '../../modules/reminders/reminder.repository';
import { createSnoozeRepository, type SnoozeRepository } from '../../modules/snoozes/snooze.repository';
import {
  createStageChangeRepository,
  type StageChangeRepository,
} from '../../modules/deals/stage-change.repository';
import { runWriteTransaction, type StoreContext, type StoreDialect } from './store-context';
import {
  createWebhookInboxRepository,
  type WebhookInboxRepository,
} from '../../modules/intake/webhook-inbox.repository';
import {
  createRefusedWebhookEventRepository,
  type RefusedWebhookEventRepository,
} from '../../modules/intake/refused-webhook-event.repository';
import {
  createWebhookJournalRepository,
  type WebhookJournalRepository,
} from '../../modules/intake/webhook-journal.repository';

/** How long a SQLite writer waits for another process's write lock before failing. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;
const POSTGRES_POOL_MAX_CONNECTIONS = 10;
const PG_INT8_OID = 20;

export interface Store {
  readonly dialect: StoreDialect;
  readonly portals: PortalRepository;
  readonly playbooks: PlaybookRepository;
  readonly deals: DealRepository;
  readonly stageChanges: StageChangeRepository;
  readonly inbox: WebhookInboxRepository;
  /** Acknowledged webhook batches, whole, until the inbox processor moves their events into the inbox. */
  readonly journal: WebhookJournalRepository;
  /** Webhook events the edge refused, kept raw with the reason for operators. */
  readonly refusedEvents: RefusedWebhookEventRepository;
  readonly actions: ActionCompletionRepository;
  readonly reminders: ReminderRepository;
  readonly snoozes: SnoozeRepository;
  readonly writebacks: DealWritebackRepository;
  readonly auditTrail: AuditTrailRepository;
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
 * Opens the database named by DATABASE_URL. Call `migrate()` before using the repositories.
 * Open one store per SQLite file per process: better-sqlite3 waits for locks synchronously, so a second
 * in-process store blocks the event loop while the first holds a write transaction across an await.
 * Separate processes (the scale-out case) are fine.
 */
export async function createStore(databaseUrl: string): Promise<Store> {
  let ctx: StoreContext;
  if (databaseUrl.startsWith('sqlite:')) {
    ctx = openSqlite(databaseUrl);
  } else if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    ctx = { db: openPostgres(databaseUrl), dialect: 'postgres' };
  } else {
    throw new StoreConfigError('DATABASE_URL: expected sqlite:<path> or postgres://...');
  }
  const { db, dialect } = ctx;
  const journal = createWebhookJournalRepository(ctx, { busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS });

  return {
    dialect,
    portals: createPortalRepository(ctx),
    playbooks: createPlaybookRepository(ctx),
    deals: createDealRepository(ctx),
    stageChanges: createStageChangeRepository(ctx),
    inbox: createWebhookInboxRepository(ctx),
    journal,
    refusedEvents: createRefusedWebhookEventRepository(ctx),
    actions: createActionCompletionRepository(ctx),
    reminders: createReminderRepository(ctx),
    snoozes: createSnoozeRepository(ctx),
    writebacks: createDealWritebackRepository(ctx),
    auditTrail: createAuditTrailRepository(ctx),
    withExclusiveLock: createExclusiveLock(ctx),

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
      // The writer thread first: the appends it holds are answered before the connection goes.
      await journal.close();
      await db.destroy();
    },
  };
}
