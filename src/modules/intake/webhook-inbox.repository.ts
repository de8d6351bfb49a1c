import type SqliteDatabase from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database, InboxStatus, WebhookInboxTable } from '../../platform/db/database.types';
import { preparedStatement } from '../../platform/db/sqlite-statements';
import {
  generateSortableId,
  runWriteTransaction,
  toEpochMs,
  type StoreContext,
} from '../../platform/db/store-context';

/** Rows per INSERT: HubSpot batches hold up to 100 events, this keeps far below SQLite's parameter limit. */
const INBOX_ROWS_PER_INSERT = 200;

export const INBOX_STATUSES: readonly InboxStatus[] = ['pending', 'processing', 'done', 'parked'];

/** One webhook event as the intake stores it. */
export interface InboxEventInput {
  portalId: number;
  /**
   * The key the webhook edge computed for this event (`dedupeKeyFor` in webhooks/hubspot-event.schema.ts),
   * stored as given: with one function owning the format, a redelivery always meets the key its first
   * delivery left, however the two were journaled.
   */
  dedupeKey: string;
  objectId: number | string;
  /** HubSpot's occurredAt, epoch milliseconds. */
  occurredAt: number;
  subscriptionType?: string | null;
  /** The event as the edge parsed it; stored as JSON and handed back to the worker untouched. */
  payload: unknown;
}

/** One webhook batch (one HTTP request's events), as it goes into the inbox. */
export interface InboxBatchInput {
  events: readonly InboxEventInput[];
  /** When the request arrived; defaults to now. */
  receivedAt?: Date;
}

export interface InboxEvent {
  id: string;
  portalId: number;
  dedupeKey: string;
  subscriptionType: string | null;
  objectId: string;
  occurredAt: Date;
  payload: unknown;
  receivedAt: Date;
  status: InboxStatus;
  /** Claims so far, this one included. */
  attempts: number;
  availableAt: Date;
  claimedBy: string | null;
  leaseUntil: Date | null;
  lastError: string | null;
}

export interface ParkedInboxEvent extends InboxEvent {
  parkedAt: Date;
}

export interface ClaimInboxOptions {
  workerId: string;
  limit: number;
  now: Date;
  /** How long the claim holds; past it, a crashed worker's rows are claimable again. */
  leaseMs: number;
  /**
   * Also takes up to this many of the events received last (the fresh lane): with a
   * backlog, the oldest-first order alone would keep a change sent now waiting behind all of it.
   */
  newest?: number;
}

export interface WebhookInboxRepository {
  /**
   * Takes up to `limit` due events, oldest occurredAt first, for `workerId`. Concurrent claimers (even
   * in other processes) never receive the same row while its lease holds.
   */
  claimInboxEvents(options: ClaimInboxOptions): Promise<InboxEvent[]>;
  completeInboxEvents(ids: readonly string[], options?: { now?: Date }): Promise<void>;
  /** Back to pending, claimable again from `nextAttemptAt`. */
  retryInboxEvent(id: string, error: string, nextAttemptAt: Date, options?: { now?: Date }): Promise<void>;
  /** Gives up on an event: it stays for inspection and is never claimed again. */
  parkInboxEvent(id: string, error: string, options?: { now?: Date }): Promise<void>;
  countInboxByStatus(): Promise<Record<InboxStatus, number>>;
  /** Parked events (what `sop-guide parked-events` lists), parked at or after `since`, oldest first. */
  listParkedInboxEvents(options: { since?: Date; limit: number }): Promise<ParkedInboxEvent[]>;
  /** Milliseconds since the oldest unfinished (pending or processing) event was received; null when none. */
  oldestPendingAge(now: Date): Promise<number | null>;
  /**
   * Deletes done events received before `before`. Keep them longer than HubSpot's retry window (about a
   * day): their dedupe keys are what make a late redelivery a duplicate.
   */
  deleteDoneInboxEvents(before: Date): Promise<number>;
}

function toInboxEvent(row: WebhookInboxTable): InboxEvent {
  return {
    id: row.id,
    portalId: row.portal_id,
    dedupeKey: row.dedupe_key,
    subscriptionType: row.subscription_type,
    objectId: row.object_id,
    occurredAt: new Date(row.occurred_at),
    payload: JSON.parse(row.payload) as unknown,
    receivedAt: new Date(row.received_at),
    status: row.status,
    attempts: row.attempts,
    availableAt: new Date(row.available_at),
    claimedBy: row.claimed_by,
    leaseUntil: row.lease_until === null ? null : new Date(row.lease_until),
    lastError: row.last_error,
  };
}

function byOccurrence(a: WebhookInboxTable, b: WebhookInboxTable): number {
  return a.occurred_at - b.occurred_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function toInboxRows({ events, receivedAt }: InboxBatchInput): WebhookInboxTable[] {
  const receivedAtMs = toEpochMs(receivedAt ?? new Date());
  return events.map((event) => ({
    // Ids in creation order, not random UUIDs: each insert lands at the end of the primary-key index
    // instead of on a random page of it, which made every commit write ~100 scattered pages (4x slower).
    id: generateSortableId(),
    portal_id: event.portalId,
    dedupe_key: event.dedupeKey,
    subscription_type: event.subscriptionType ?? null,
    object_id: String(event.objectId),
    occurred_at: event.occurredAt,
    payload: JSON.stringify(event.payload),
    received_at: receivedAtMs,
    status: 'pending',
    attempts: 0,
    available_at: receivedAtMs,
    claimed_by: null,
    lease_until: null,
    last_error: null,
    updated_at: receivedAtMs,
  }));
}

const INBOX_INSERT_SQL = `insert into webhook_inbox
  (id, portal_id, dedupe_key, subscription_type, object_id, occurred_at, payload, received_at, status,
   attempts, available_at, claimed_by, lease_until, last_error, updated_at)
  values (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, null, null, null, ?)
  on conflict (portal_id, dedupe_key) do nothing`;

/**
 * The SQLite hot path: one prepared statement run synchronously per row, inside the caller's
 * transaction. Going through Kysely cost ~5 ms a batch (compiling a 3,000-parameter statement, plus an
 * await per query); this is a few microseconds a row. Returns how many rows were new.
 */
export function insertInboxRowsSqlite(
  database: SqliteDatabase.Database,
  rows: readonly WebhookInboxTable[],
): number {
  const statement = preparedStatement(database, INBOX_INSERT_SQL);
  let inserted = 0;
  for (const row of rows) {
    inserted += statement.run(
      row.id,
      row.portal_id,
      row.dedupe_key,
      row.subscription_type,
      row.object_id,
      row.occurred_at,
      row.payload,
      row.received_at,
      row.available_at,
      row.updated_at,
    ).changes;
  }
  return inserted;
}

/** The same on any dialect, inside the caller's transaction; returns how many rows were new. */
export async function insertInboxRowsWithKysely(
  trx: Kysely<Database>,
  rows: readonly WebhookInboxTable[],
): Promise<number> {
  let inserted = 0;
  for (let start = 0; start < rows.length; start += INBOX_ROWS_PER_INSERT) {
    const stored = await trx
      .insertInto('webhook_inbox')
      .values(rows.slice(start, start + INBOX_ROWS_PER_INSERT))
      .onConflict((oc) => oc.columns(['portal_id', 'dedupe_key']).doNothing())
      .returning('id')
      .execute();
    inserted += stored.length;
  }
  return inserted;
}

export function createWebhookInboxRepository(ctx: StoreContext): WebhookInboxRepository {
  const { db, dialect } = ctx;

  /** The ids of rows a claimer may take: due pending rows, and rows whose claim lease ran out. */
  function selectClaimableIds(trx: Kysely<Database>, nowMs: number, limit: number) {
    return trx
      .selectFrom('webhook_inbox')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('available_at', '<=', nowMs)]),
          eb.and([eb('status', '=', 'processing'), eb('lease_until', '<=', nowMs)]),
        ]),
      )
      .orderBy('occurred_at')
      .orderBy('id')
      .limit(limit);
  }

  /** The fresh lane: due pending rows, those of the requests received last first. */
  function selectNewestIds(trx: Kysely<Database>, nowMs: number, limit: number) {
    return trx
      .selectFrom('webhook_inbox')
      .select('id')
      .where('status', '=', 'pending')
      .where('available_at', '<=', nowMs)
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
  }

  return {
    async claimInboxEvents({ workerId, limit, now, leaseMs, newest = 0 }) {
      if (limit <= 0) return [];
      const nowMs = toEpochMs(now);
      const claim = {
        status: 'processing' as const,
        claimed_by: workerId,
        lease_until: nowMs + leaseMs,
        updated_at: nowMs,
      };
      const rows =
        dialect === 'postgres'
          ? // SKIP LOCKED: a concurrent claimer passes over the rows this one is taking instead of waiting
            // for them and then claiming them a second time.
            await db
              .updateTable('webhook_inbox')
              .set((eb) => ({ ...claim, attempts: eb('attempts', '+', 1) }))
              .where((eb) =>
                eb.or([
                  eb('id', 'in', selectClaimableIds(db, nowMs, limit).forUpdate().skipLocked()),
                  ...(newest > 0
                    ? [eb('id', 'in', selectNewestIds(db, nowMs, newest).forUpdate().skipLocked())]
                    : []),
                ]),
              )
              .returningAll()
              .execute()
          : // SQLite has one writer at a time; the immediate transaction makes select-and-claim one step.
            await runWriteTransaction(ctx, async (trx) => {
              const oldest = await selectClaimableIds(trx, nowMs, limit).execute();
              const fresh = newest > 0 ? await selectNewestIds(trx, nowMs, newest).execute() : [];
              const ids = [...new Set([...oldest, ...fresh].map((row) => row.id))];
              if (ids.length === 0) return [];
              return trx
                .updateTable('webhook_inbox')
                .set((eb) => ({ ...claim, attempts: eb('attempts', '+', 1) }))
                .where('id', 'in', ids)
                .returningAll()
                .execute();
            });
      return rows.sort(byOccurrence).map(toInboxEvent);
    },

    async completeInboxEvents(ids, options = {}) {
      if (ids.length === 0) return;
      await db
        .updateTable('webhook_inbox')
        .set({
          status: 'done',
          claimed_by: null,
          lease_until: null,
          updated_at: toEpochMs(options.now ?? new Date()),
        })
        .where('id', 'in', [...ids])
        .execute();
    },

    async retryInboxEvent(id, error, nextAttemptAt, options = {}) {
      await db
        .updateTable('webhook_inbox')
        .set({
          status: 'pending',
          available_at: toEpochMs(nextAttemptAt),
          claimed_by: null,
          lease_until: null,
          last_error: error,
          updated_at: toEpochMs(options.now ?? new Date()),
        })
        .where('id', '=', id)
        .where('status', '<>', 'done')
        .execute();
    },

    async parkInboxEvent(id, error, options = {}) {
      await db
        .updateTable('webhook_inbox')
        .set({
          status: 'parked',
          claimed_by: null,
          lease_until: null,
          last_error: error,
          updated_at: toEpochMs(options.now ?? new Date()),
        })
        .where('id', '=', id)
        .execute();
    },

    async countInboxByStatus() {
      const rows = await db
        .selectFrom('webhook_inbox')
        .select((eb) => ['status', eb.fn.countAll<number>().as('count')])
        .groupBy('status')
        .execute();
      const counts = Object.fromEntries(INBOX_STATUSES.map((status) => [status, 0])) as Record<
        InboxStatus,
        number
      >;
      for (const row of rows) counts[row.status] = Number(row.count);
      return counts;
    },

    async listParkedInboxEvents({ since, limit }) {
      let query = db.selectFrom('webhook_inbox').selectAll().where('status', '=', 'parked');
      if (since) query = query.where('updated_at', '>=', toEpochMs(since));
      const rows = await query.orderBy('updated_at').orderBy('id').limit(limit).execute();
      return rows.map((row) => ({ ...toInboxEvent(row), parkedAt: new Date(row.updated_at) }));
    },

    async oldestPendingAge(now) {
      const row = await db
        .selectFrom('webhook_inbox')
        .select((eb) => eb.fn.min('received_at').as('oldest'))
        .where('status', 'in', ['pending', 'processing'])
        .executeTakeFirst();
      const oldest = row?.oldest;
      if (oldest === null || oldest === undefined) return null;
      return Math.max(0, toEpochMs(now) - Number(oldest));
    },

    async deleteDoneInboxEvents(before) {
      const result = await db
        .deleteFrom('webhook_inbox')
        .where('status', '=', 'done')
        .where('received_at', '<', toEpochMs(before))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
