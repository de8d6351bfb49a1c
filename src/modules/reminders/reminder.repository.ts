import type { Kysely } from 'kysely';
import type { ReminderIdentity, ReminderKind, ReminderStatus } from '../../domain/reminder.util';
import type { Database, RemindersTable } from '../../platform/db/database.types';
import {
  runWriteTransaction,
  toEpochMs,
  toEpochMsOrNull,
  type StoreContext,
} from '../../platform/db/store-context';

/** Large `IN (...)` lists are split so that no query exceeds SQLite's bound-parameter limit. */
const KEYS_PER_QUERY = 500;

export interface Reminder {
  key: string;
  portalId: number;
  dealId: string;
  stageEnteredAt: Date;
  kind: ReminderKind;
  round: number;
  status: ReminderStatus;
  hubspotTaskId: string | null;
  attempts: number;
  lastError: string | null;
  dueAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type { ReminderIdentity };

export interface RecordReminderIntentInput extends ReminderIdentity {
  dueAt?: Date | null;
  now: Date;
}

export interface ReminderRepository {
  /**
   * Inserts the reminder if its key is new. Only the caller that gets `created: true` sends the task:
   * this is what keeps two sweeps (or two instances) from reminding twice.
   */
  recordReminderIntent(
    key: string,
    input: RecordReminderIntentInput,
  ): Promise<{ created: boolean; reminder: Reminder }>;
  /**
   * recordReminderIntent for many reminders in one transaction (one commit, not one per reminder): the
   * sweep records a whole batch of intents before the one HubSpot call that creates their tasks.
   * Results come in the order of `inputs`.
   */
  recordReminderIntents(
    inputs: ReadonlyArray<RecordReminderIntentInput & { key: string }>,
  ): Promise<Array<{ created: boolean; reminder: Reminder }>>;
  markReminderSent(key: string, hubspotTaskId: string, now: Date): Promise<void>;
  /** markReminderSent for a batch of created tasks, in one transaction. */
  markRemindersSent(sent: ReadonlyArray<{ key: string; hubspotTaskId: string }>, now: Date): Promise<void>;
  markReminderFailed(key: string, error: string, now?: Date): Promise<void>;
  /**
   * Takes a failed reminder back to 'intent' for one more try; true for the single caller that wins it.
   */
  claimFailedReminder(key: string, now: Date): Promise<boolean>;
  getReminder(key: string): Promise<Reminder | null>;
  /** The reminders found among `keys`, in no particular order: the sweep reads a page's due reminders at once. */
  listRemindersByKeys(keys: readonly string[]): Promise<Reminder[]>;
  /** Reminders not yet completed (intent, sent or failed), oldest first. */
  listOpenRemindersForDeal(portalId: number, dealId: string): Promise<Reminder[]>;
  markRemindersCompleted(keys: readonly string[], now?: Date): Promise<void>;
  /**
   * Records a create whose outcome is unknown (timeout, 5xx): the reminder stays 'intent', because the
   * task may exist in HubSpot, and must be reconciled by its marker before anyone creates it again.
   */
  noteReminderOutcomeUnknown(key: string, error: string, now: Date): Promise<void>;
  /**
   * Takes an 'intent' untouched since before `staleBefore` (a crash or a lost answer) for reconciliation;
   * true for the single caller that wins it. A fresh intent is another sweep's create still in flight.
   */
  claimStaleReminderIntent(key: string, staleBefore: Date, now: Date): Promise<boolean>;
  /** Open reminders whose deal has since entered another stage (or was deleted): their tasks are moot. */
  listOpenRemindersOfPastStageEntries(
    portalId: number,
    options: { dealIds?: readonly string[]; limit: number },
  ): Promise<Reminder[]>;
}

function toReminder(row: RemindersTable): Reminder {
  return {
    key: row.reminder_key,
    portalId: row.portal_id,
    dealId: row.deal_id,
    stageEnteredAt: new Date(row.stage_entered_at),
    kind: row.kind,
    round: row.round,
    status: row.status,
    hubspotTaskId: row.hubspot_task_id,
    attempts: row.attempts,
    lastError: row.last_error,
    dueAt: row.due_at === null ? null : new Date(row.due_at),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** A new reminder, not yet sent: what recordReminderIntent(s) insert. */
function toIntentRow(key: string, input: RecordReminderIntentInput): RemindersTable {
  const nowMs = toEpochMs(input.now);
  return {
    reminder_key: key,
    portal_id: input.portalId,
    deal_id: input.dealId,
    stage_entered_at: toEpochMs(input.stageEnteredAt),
    kind: input.kind,
    round: input.round,
    status: 'intent',
    hubspot_task_id: null,
    attempts: 0,
    last_error: null,
    due_at: toEpochMsOrNull(input.dueAt),
    created_at: nowMs,
    updated_at: nowMs,
  };
}

async function markSent(db: Kysely<Database>, key: string, hubspotTaskId: string, now: Date): Promise<void> {
  await db
    .updateTable('reminders')
    .set((eb) => ({
      status: 'sent',
      hubspot_task_id: hubspotTaskId,
      attempts: eb('attempts', '+', 1),
      last_error: null,
      updated_at: toEpochMs(now),
    }))
    .where('reminder_key', '=', key)
    .execute();
}

export function createReminderRepository(ctx: StoreContext): ReminderRepository {
  const { db } = ctx;

  async function readReminder(key: string): Promise<Reminder | null> {
    const row = await db
      .selectFrom('reminders')
      .selectAll()
      .where('reminder_key', '=', key)
      .executeTakeFirst();
    return row ? toReminder(row) : null;
  }

  return {
    async recordReminderIntent(key, input) {
      const inserted = await db
        .insertInto('reminders')
        .values(toIntentRow(key, input))
        .onConflict((oc) => oc.column('reminder_key').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) return { created: true, reminder: toReminder(inserted) };
      const existing = await readReminder(key);
      if (!existing) throw new Error(`reminder ${key} conflicted on insert but cannot be read`);
      return { created: false, reminder: existing };
    },

    async recordReminderIntents(inputs) {
      if (inputs.length === 0) return [];
      const keys = [...new Set(inputs.map((input) => input.key))];
      const { insertedKeys, rows } = await runWriteTransaction(ctx, async (trx) => {
        const inserted = await trx
          .insertInto('reminders')
          .values(
            [...new Map(inputs.map((input) => [input.key, input])).values()].map((input) =>
              toIntentRow(input.key, input),
            ),
          )
          .onConflict((oc) => oc.column('reminder_key').doNothing())
          .returning('reminder_key')
          .execute();
        const all = await trx.selectFrom('reminders').selectAll().where('reminder_key', 'in', keys).execute();
        return { insertedKeys: new Set(inserted.map((row) => row.reminder_key)), rows: all };
      });
      const byKey = new Map(rows.map((row) => [row.reminder_key, toReminder(row)]));
      return inputs.map((input) => {
        const reminder = byKey.get(input.key);
        if (!reminder) throw new Error(`reminder ${input.key} conflicted on insert but cannot be read`);
        // A key given twice in one call is created once: only its first occurrence says so.
        const created = insertedKeys.delete(input.key);
        return { created, reminder };
      });
    },

    async markRemindersSent(sent, now) {
      if (sent.length === 0) return;
      await runWriteTransaction(ctx, async (trx) => {
        for (const { key, hubspotTaskId } of sent) await markSent(trx, key, hubspotTaskId, now);
      });
    },

    async markReminderSent(key, hubspotTaskId, now) {
      await markSent(db, key, hubspotTaskId, now);
    },

    async markReminderFailed(key, error, now = new Date()) {
      await db
        .updateTable('reminders')
        .set((eb) => ({
          status: 'failed',
          attempts: eb('attempts', '+', 1),
          last_error: error,
          updated_at: toEpochMs(now),
        }))
        .where('reminder_key', '=', key)
        // A task that did get created must not be forgotten because a later step failed.
        .where('status', '<>', 'sent')
        .execute();
    },

    async claimFailedReminder(key, now) {
      const result = await db
        .updateTable('reminders')
        .set({ status: 'intent', updated_at: toEpochMs(now) })
        .where('reminder_key', '=', key)
        .where('status', '=', 'failed')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    getReminder: readReminder,

    async listRemindersByKeys(keys) {
      const unique = [...new Set(keys)];
      const reminders: Reminder[] = [];
      for (let start = 0; start < unique.length; start += KEYS_PER_QUERY) {
        const rows = await db
          .selectFrom('reminders')
          .selectAll()
          .where('reminder_key', 'in', unique.slice(start, start + KEYS_PER_QUERY))
          .execute();
        reminders.push(...rows.map(toReminder));
      }
      return reminders;
    },

    async listOpenRemindersForDeal(portalId, dealId) {
      const rows = await db
        .selectFrom('reminders')
        .selectAll()
        .where('portal_id', '=', portalId)
        .where('deal_id', '=', dealId)
        .where('status', '<>', 'completed')
        .orderBy('created_at')
        .orderBy('reminder_key')
        .execute();
      return rows.map(toReminder);
    },

    async markRemindersCompleted(keys, now = new Date()) {
      if (keys.length === 0) return;
      await db
        .updateTable('reminders')
        .set({ status: 'completed', updated_at: toEpochMs(now) })
        .where('reminder_key', 'in', [...keys])
        .execute();
    },

    async noteReminderOutcomeUnknown(key, error, now) {
      await db
        .updateTable('reminders')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          last_error: error,
          updated_at: toEpochMs(now),
        }))
        .where('reminder_key', '=', key)
        .where('status', '=', 'intent')
        .execute();
    },

    async claimStaleReminderIntent(key, staleBefore, now) {
      const result = await db
        .updateTable('reminders')
        .set({ updated_at: toEpochMs(now) })
        .where('reminder_key', '=', key)
        .where('status', '=', 'intent')
        .where('updated_at', '<', toEpochMs(staleBefore))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async listOpenRemindersOfPastStageEntries(portalId, options) {
      if (options.dealIds !== undefined && options.dealIds.length === 0) return [];
      let query = db
        .selectFrom('reminders')
        .innerJoin('deals', (join) =>
          join
            .onRef('deals.portal_id', '=', 'reminders.portal_id')
            .onRef('deals.deal_id', '=', 'reminders.deal_id'),
        )
        .selectAll('reminders')
        .where('reminders.portal_id', '=', portalId)
        .where('reminders.status', '<>', 'completed')
        .where((eb) =>
          eb.or([
            eb('deals.stage_entered_at', '<>', eb.ref('reminders.stage_entered_at')),
            eb('deals.deleted_at', 'is not', null),
          ]),
        );
      if (options.dealIds !== undefined) query = query.where('reminders.deal_id', 'in', [...options.dealIds]);
      const rows = await query
        .orderBy('reminders.created_at')
        .orderBy('reminders.reminder_key')
        .limit(options.limit)
        .execute();
      return rows.map(toReminder);
    },
  };
}
