import { inflateRawSync } from 'node:zlib';
import { describeError } from '../../platform/errors/app-error';
import type SqliteDatabase from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type {
  Database,
  JournalBodyEncoding,
  JournalStatus,
  WebhookInboxTable,
} from '../../platform/db/database.types';
import { createGroupCommit } from '../../platform/db/group-commit';
import { preparedStatement } from '../../platform/db/sqlite-statements';
import { createSqliteJournalWriter, JOURNAL_INSERT_SQL, type JournalRow } from './sqlite-journal-writer';
import {
  generateSortableId,
  runWriteTransaction,
  withSqliteConnection,
  type StoreContext,
} from '../../platform/db/store-context';
import {
  insertInboxRowsSqlite,
  insertInboxRowsWithKysely,
  toInboxRows,
  type InboxEventInput,
} from './webhook-inbox.repository';

/** Journal inserts in flight at once on PostgreSQL (its pool has 10 connections). */
const POSTGRES_JOURNAL_WRITES_IN_FLIGHT = 3;

/** One acknowledged webhook request, as the intake journals it. */
export interface JournalBatchInput {
  /** A JSON array of HubSpot webhook events. */
  body: string;
  /** Deal events in it. */
  eventCount: number;
  receivedAt: Date;
}

/** What a journal row's body turns into: the inbox events it holds, or why it cannot be read any more. */
export type ExplodeJournalBody = (
  body: string,
) => { ok: true; events: InboxEventInput[] } | { ok: false; error: string };

export interface JournalTransfer {
  /** Journal rows moved into the inbox (and deleted). */
  moved: number;
  /** Rows whose body no longer parses: kept, marked parked, never taken again. */
  parked: number;
  /** Inbox rows created, and events skipped because the inbox already had them (HubSpot redeliveries). */
  inserted: number;
  duplicates: number;
}

export interface MoveToInboxOptions {
  /** Rows read at most. */
  limit: number;
  /**
   * Stops taking rows once this many events were moved (the row that crosses it included, and always
   * at least one row): on SQLite a move runs on the event loop, so this bounds how long it holds it.
   */
  maxEvents?: number;
  /**
   * Also takes this many of the newest pending rows (the fresh lane), whatever the backlog before them:
   * a change sent after a burst then waits for one batch, not for the whole backlog.
   */
  newest?: number;
  explode: ExplodeJournalBody;
}

export interface JournalCounts {
  pendingBatches: number;
  pendingEvents: number;
  parkedBatches: number;
}

export interface WebhookJournalRepository {
  /**
   * Appends one request's batch durably and resolves once it is committed. Concurrent appends share a
   * commit (group commit); on SQLite the write happens on a thread of its own.
   */
  append(batch: JournalBatchInput): Promise<void>;
  /**
   * Moves up to `limit` pending rows, oldest first, into the webhook inbox, where duplicates are
   * dropped by their dedupe key, and deletes them: all in one transaction, so a row is moved exactly
   * once even across a crash. Concurrent callers (other instances on PostgreSQL) never take the same row.
   */
  moveToInbox(options: MoveToInboxOptions): Promise<JournalTransfer>;
  counts(): Promise<JournalCounts>;
  /** Milliseconds since the oldest pending row was received; null when none. */
  oldestPendingAge(now: Date): Promise<number | null>;
  /** Stops the writer thread after the appends in flight; the store's close() calls it. */
  close(): Promise<void>;
}

export interface JournalRowRead {
  id: string;
  body: string | Uint8Array;
  body_encoding: JournalBodyEncoding;
  received_at: number;
}

/** The body's JSON text, whichever form it was stored in. */
export function bodyText(row: JournalRowRead): string {
  if (row.body_encoding === 'deflate-raw' && typeof row.body !== 'string') {
    return inflateRawSync(row.body).toString('utf8');
  }
  if (row.body_encoding === 'utf8' && typeof row.body === 'string') return row.body;
  throw new Error(`journal row ${row.id}: a ${typeof row.body} body stored as ${row.body_encoding}`);
}

/** The fresh lane's rows first (they are always taken), then the oldest ones not among them. */
function withFreshLane<T extends { id: string }>(oldest: readonly T[], fresh: readonly T[]): T[] {
  const freshIds = new Set(fresh.map((row) => row.id));
  return [...fresh, ...oldest.filter((row) => !freshIds.has(row.id))];
}

function toJournalRow(batch: JournalBatchInput): JournalRow {
  return {
    id: generateSortableId(),
    receivedAt: batch.receivedAt.getTime(),
    body: batch.body,
    eventCount: batch.eventCount,
  };
}

/** What a journal row turns into: its events as inbox rows, received when the request was. */
function explodeRow(row: JournalRowRead, explode: ExplodeJournalBody) {
  let text: string;
  try {
    text = bodyText(row);
  } catch (error) {
    return { ok: false as const, error: describeError(error) };
  }
  const exploded = explode(text);
  if (!exploded.ok) return exploded;
  return {
    ok: true as const,
    rows: toInboxRows({ events: exploded.events, receivedAt: new Date(row.received_at) }),
  };
}

export function createWebhookJournalRepository(
  ctx: StoreContext,
  options: { busyTimeoutMs: number },
): WebhookJournalRepository {
  const { db, dialect } = ctx;

  // One statement, no BEGIN/COMMIT around it: a multi-row INSERT is atomic on its own, and each round
  // trip saved is latency every acknowledgement of the group waits for.
  const appendWithKysely = async (rows: JournalRow[]) => {
    await db
      .insertInto('webhook_journal')
      .values(
        rows.map((row) => ({
          id: row.id,
          received_at: row.receivedAt,
          body: row.body,
          body_encoding: 'utf8' as const,
          event_count: row.eventCount,
          status: 'pending' as const,
          last_error: null,
        })),
      )
      .execute();
  };

  const appendOnSqliteConnection = (rows: JournalRow[]) =>
    withSqliteConnection(ctx, (database) => {
      const insert = preparedStatement(database, JOURNAL_INSERT_SQL);
      database
        .transaction(() => {
          for (const row of rows) insert.run(row.id, row.receivedAt, row.eventCount, 'utf8', row.body);
        })
        .immediate();
    });

  // A SQLite file gets the writer thread. An in-memory SQLite database exists only on its one
  // connection, and PostgreSQL's driver never blocks the event loop: both write from here, grouped.
  const sqliteWriter =
    dialect === 'sqlite' && ctx.sqliteFilePath
      ? createSqliteJournalWriter(ctx.sqliteFilePath, {
          busyTimeoutMs: options.busyTimeoutMs,
          writeTurn: ctx.sqliteWriteTurn?.buffer,
        })
      : undefined;
  const grouped = sqliteWriter
    ? undefined
    : createGroupCommit<JournalRow>(
        (rows) => (dialect === 'sqlite' ? appendOnSqliteConnection(rows) : appendWithKysely(rows)),
        // PostgreSQL commits concurrent inserts together and has a pool: a few groups at once keep the
        // acknowledgements from queueing behind one commit while processing's queries share the server.
        { maxWritesInFlight: dialect === 'postgres' ? POSTGRES_JOURNAL_WRITES_IN_FLIGHT : 1 },
      );

  function moveOnSqlite(
    database: SqliteDatabase.Database,
    { limit, maxEvents, newest = 0, explode }: MoveToInboxOptions,
  ) {
    const select = preparedStatement(
      database,
      `select id, body, body_encoding, received_at from webhook_journal
       where status = 'pending' order by id limit ?`,
    );
    const selectNewest = preparedStatement(
      database,
      `select id, body, body_encoding, received_at from webhook_journal
       where status = 'pending' order by id desc limit ?`,
    );
    const remove = preparedStatement(database, 'delete from webhook_journal where id = ?');
    const park = preparedStatement(
      database,
      `update webhook_journal set status = 'parked', last_error = ? where id = ?`,
    );
    return database
      .transaction((): JournalTransfer => {
        const transfer: JournalTransfer = { moved: 0, parked: 0, inserted: 0, duplicates: 0 };
        const fresh = newest > 0 ? (selectNewest.all(newest) as JournalRowRead[]) : [];
        const oldest = select.all(limit) as JournalRowRead[];
        let taken = 0;
        for (const row of withFreshLane(oldest, fresh)) {
          const isFresh = taken++ < fresh.length;
          if (!isFresh && maxEvents !== undefined && transfer.inserted + transfer.duplicates >= maxEvents)
            break;
          const exploded = explodeRow(row, explode);
          if (!exploded.ok) {
            park.run(exploded.error, row.id);
            transfer.parked += 1;
            continue;
          }
          const inserted = insertInboxRowsSqlite(database, exploded.rows);
          remove.run(row.id);
          transfer.moved += 1;
          transfer.inserted += inserted;
          transfer.duplicates += exploded.rows.length - inserted;
        }
        return transfer;
      })
      .immediate();
  }

  async function moveWithKysely(
    trx: Kysely<Database>,
    { limit, maxEvents, newest = 0, explode }: MoveToInboxOptions,
  ) {
    const transfer: JournalTransfer = { moved: 0, parked: 0, inserted: 0, duplicates: 0 };
    const pending = (order: 'asc' | 'desc', count: number) =>
      trx
        .selectFrom('webhook_journal')
        .select(['id', 'body', 'body_encoding', 'received_at'])
        .where('status', '=', 'pending')
        .orderBy('id', order)
        .limit(count)
        .forUpdate()
        .skipLocked()
        .execute();
    const fresh = newest > 0 ? await pending('desc', newest) : [];
    const rows = withFreshLane(await pending('asc', limit), fresh);
    const movedIds: string[] = [];
    const inboxRows: WebhookInboxTable[] = [];
    for (const [index, row] of rows.entries()) {
      // Rows read but not taken stay pending; their locks go with this transaction.
      if (index >= fresh.length && maxEvents !== undefined && inboxRows.length >= maxEvents) break;
      const exploded = explodeRow(row, explode);
      if (!exploded.ok) {
        await trx
          .updateTable('webhook_journal')
          .set({ status: 'parked', last_error: exploded.error })
          .where('id', '=', row.id)
          .execute();
        transfer.parked += 1;
        continue;
      }
      movedIds.push(row.id);
      inboxRows.push(...exploded.rows);
    }
    if (movedIds.length > 0) {
      transfer.inserted = await insertInboxRowsWithKysely(trx, inboxRows);
      transfer.duplicates = inboxRows.length - transfer.inserted;
      transfer.moved = movedIds.length;
      await trx.deleteFrom('webhook_journal').where('id', 'in', movedIds).execute();
    }
    return transfer;
  }

  return {
    append(batch) {
      const row = toJournalRow(batch);
      return sqliteWriter ? sqliteWriter.append([row]) : grouped!.submit(row);
    },

    async moveToInbox(options) {
      return dialect === 'sqlite' && ctx.sqlite
        ? withSqliteConnection(ctx, (database) => moveOnSqlite(database, options))
        : runWriteTransaction(ctx, (trx) => moveWithKysely(trx, options));
    },

    async counts() {
      const rows = await db
        .selectFrom('webhook_journal')
        .select((eb) => [
          'status',
          eb.fn.countAll<number>().as('batches'),
          eb.fn.sum<number>('event_count').as('events'),
        ])
        .groupBy('status')
        .execute();
      const byStatus = new Map(rows.map((row) => [row.status as JournalStatus, row]));
      return {
        pendingBatches: Number(byStatus.get('pending')?.batches ?? 0),
        pendingEvents: Number(byStatus.get('pending')?.events ?? 0),
        parkedBatches: Number(byStatus.get('parked')?.batches ?? 0),
      };
    },

    async oldestPendingAge(now) {
      const row = await db
        .selectFrom('webhook_journal')
        .select((eb) => eb.fn.min<number>('received_at').as('oldest'))
        .where('status', '=', 'pending')
        .executeTakeFirst();
      const oldest = row?.oldest;
      return oldest === null || oldest === undefined ? null : Math.max(0, now.getTime() - Number(oldest));
    },

    async close() {
      await sqliteWriter?.close();
    },
  };
}
