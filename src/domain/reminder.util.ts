/**
 * A reminder's identity and the states its outbox row moves through (intent, sent, failed, completed),
 * with the rules that read them: the key that keeps one stall to one task, and what a sweep must do
 * about a reminder an earlier sweep recorded.
 */

export type ReminderKind = 'owner' | 'escalation';
export type ReminderStatus = 'intent' | 'sent' | 'failed' | 'completed';

export interface ReminderIdentity {
  portalId: number;
  dealId: string;
  stageEnteredAt: Date;
  kind: ReminderKind;
  round: number;
}

/** What the rules read of a recorded reminder. */
export interface RecordedReminder {
  status: ReminderStatus;
  hubspotTaskId: string | null;
  attempts: number;
  lastError: string | null;
  updatedAt: Date;
}

/**
 * An intent older than this is not a create in flight (one create call lasts seconds, even with its
 * rate-limit retries) but a lost answer or a crash: it is reconciled. Shorter than the default sweep
 * interval, so the next sweep settles it.
 */
export const REMINDER_INTENT_STALE_MS = 10 * 60 * 1000;
/** After this many failed tries, a reminder stops being retried (a task HubSpot keeps refusing). */
export const MAX_REMINDER_ATTEMPTS = 8;

/**
 * The deterministic key of a reminder (STYLE.md principle 6): one per portal, deal, stage entry, kind
 * and round, so the same stall never produces two tasks.
 */
export function buildReminderKey(identity: ReminderIdentity): string {
  return [
    identity.portalId,
    identity.dealId,
    identity.stageEnteredAt.getTime(),
    identity.kind,
    identity.round,
  ].join('/');
}

/** Intents untouched since before this instant are no longer in flight. */
export function findIntentStaleBefore(now: Date): Date {
  return new Date(now.getTime() - REMINDER_INTENT_STALE_MS);
}

/**
 * What a due reminder needs, given what is recorded under its key:
 * - create: nothing recorded yet;
 * - already-sent: its task exists (or its stage entry is over);
 * - give-up: HubSpot refused it too often;
 * - retry: HubSpot refused it outright last time, so no task exists;
 * - reconcile: an intent whose answer was lost: look for its marker before creating it again;
 * - in-flight: a fresh intent, another sweep's create still under way.
 */
export type RecordedReminderStep =
  'create' | 'already-sent' | 'give-up' | 'retry' | 'reconcile' | 'in-flight';

export function decideRecordedReminderStep(
  existing: RecordedReminder | null,
  now: Date,
): RecordedReminderStep {
  if (existing === null) return 'create';
  if (existing.status === 'sent' || existing.status === 'completed') return 'already-sent';
  if (existing.attempts >= MAX_REMINDER_ATTEMPTS) return 'give-up';
  if (existing.status === 'failed') return 'retry';
  return existing.updatedAt < findIntentStaleBefore(now) ? 'reconcile' : 'in-flight';
}

/**
 * What closing a reminder of a stage entry that is over takes: a sent task is completed in HubSpot; a
 * failed one never existed and is only closed; an intent whose answer was lost is looked up by its
 * marker first; a fresh intent (or a sent one without a task id) is left for a later pass.
 */
export type MovedOnReminderStep = 'complete-task' | 'close' | 'look-up-then-complete' | 'wait';

export function decideMovedOnReminderStep(reminder: RecordedReminder, now: Date): MovedOnReminderStep {
  if (reminder.status === 'sent' && reminder.hubspotTaskId) return 'complete-task';
  if (reminder.status === 'failed') return 'close';
  if (reminder.status === 'intent' && reminder.updatedAt < findIntentStaleBefore(now)) {
    return 'look-up-then-complete';
  }
  return 'wait';
}
