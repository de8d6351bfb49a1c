import type { ExceptionOutboxKind, ExceptionOutboxStatus, ExceptionOutboxTable } from './exception.table';
import { toEpochMs, type StoreContext } from '../../platform/db/store-context';

export const JUSTIFY_OVERDUE_TASK: ExceptionOutboxKind = 'justify-overdue-task';
export const MOVE_BACK: ExceptionOutboxKind = 'move-back';
export const REVERT_OWNER_TASK: ExceptionOutboxKind = 'revert-owner-task';
export const TIMELINE_NOTE: ExceptionOutboxKind = 'timeline-note';

export interface ExceptionOutboxEntry {
  key: string;
  portalId: number;
  exceptionId: string;
  kind: ExceptionOutboxKind;
  status: ExceptionOutboxStatus;
  hubspotId: string | null;
  attempts: number;
  lastError: string | null;
}

/** One HubSpot call per exception and kind: the key says which. */
export function buildOutboxKey(exceptionId: string, kind: ExceptionOutboxKind): string {
  return `${exceptionId}:${kind}`;
}

export interface ExceptionOutboxRepository {
  /**
   * Records the intent to call HubSpot, or finds the one already recorded: `created` false means an
   * earlier attempt may have reached HubSpot, so the caller looks for its result before calling again.
   */
  recordIntent(
    input: { portalId: number; exceptionId: string; kind: ExceptionOutboxKind },
    now: Date,
  ): Promise<{ created: boolean; entry: ExceptionOutboxEntry }>;
  markSent(key: string, hubspotId: string, now: Date): Promise<void>;
  /** An attempt failed; the intent stays for the next run. */
  markAttemptFailed(key: string, error: string, now: Date): Promise<void>;
  /** The call no longer applies and will never be made; `reason` says why. */
  markCancelled(key: string, reason: string, now: Date): Promise<void>;
}

function toEntry(row: ExceptionOutboxTable): ExceptionOutboxEntry {
  return {
    key: row.key,
    portalId: Number(row.portal_id),
    exceptionId: row.exception_id,
    kind: row.kind,
    status: row.status,
    hubspotId: row.hubspot_id,
    attempts: row.attempts,
    lastError: row.last_error,
  };
}

export function createExceptionOutboxRepository(ctx: StoreContext): ExceptionOutboxRepository {
  const { db } = ctx;
  return {
    async recordIntent(input, now) {
      const key = buildOutboxKey(input.exceptionId, input.kind);
      const inserted = await db
        .insertInto('exception_outbox')
        .values({
          key,
          portal_id: input.portalId,
          exception_id: input.exceptionId,
          kind: input.kind,
          status: 'intent',
          hubspot_id: null,
          attempts: 0,
          last_error: null,
          created_at: toEpochMs(now),
          updated_at: toEpochMs(now),
        })
        .onConflict((oc) => oc.column('key').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) return { created: true, entry: toEntry(inserted) };
      const existing = await db
        .selectFrom('exception_outbox')
        .selectAll()
        .where('key', '=', key)
        .executeTakeFirstOrThrow();
      return { created: false, entry: toEntry(existing) };
    },

    async markSent(key, hubspotId, now) {
      await db
        .updateTable('exception_outbox')
        .set({ status: 'sent', hubspot_id: hubspotId, last_error: null, updated_at: toEpochMs(now) })
        .where('key', '=', key)
        .execute();
    },

    async markAttemptFailed(key, error, now) {
      await db
        .updateTable('exception_outbox')
        .set((eb) => ({
          status: 'failed',
          attempts: eb('attempts', '+', 1),
          last_error: error,
          updated_at: toEpochMs(now),
        }))
        .where('key', '=', key)
        .where('status', '!=', 'sent')
        .execute();
    },

    async markCancelled(key, reason, now) {
      await db
        .updateTable('exception_outbox')
        .set({ status: 'cancelled', last_error: reason, updated_at: toEpochMs(now) })
        .where('key', '=', key)
        .where('status', '!=', 'sent')
        .execute();
    },
  };
}
