import { decideRecordedReminderStep, findIntentStaleBefore, type ReminderIdentity } from '../../domain';
import { describeError } from '../../platform/errors/app-error';
import { isHubSpotError } from '../../platform/hubspot/hubspot-error';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import { chunk } from '../../platform/hubspot/hubspot-batch.util';
import type { NewTask } from '../../platform/hubspot/tasks.api';
import type { Logger } from '../../platform/observability/logger';
import type { Store } from '../../platform/db';
import type { Reminder } from './reminder.repository';
import { buildReminderMarker } from './reminder-task.util';
import type { PortalPass, SweepRow } from './sweep-report';

/**
 * The reminder outbox: carries out the sweep's intended reminders so that nothing is sent twice.
 *
 * - every reminder has a deterministic key (portal, deal, stage entry, kind, round), and the intent is
 *   stored under it before HubSpot is called; only the caller that inserted it creates the task;
 * - a create whose answer was lost leaves the intent in place, and the task carries a marker derived
 *   from the key, so a later sweep searches for the marker before creating anything again;
 * - a refused create (429, 4xx) is marked failed and simply tried again by the next sweep.
 */

/** HubSpot's batch create limit: pending tasks are flushed in calls of at most this many. */
export const TASK_BATCH_SIZE = 100;

/** A reminder to see through: its task, and the report row that says what became of it. */
export interface OutboxReminder {
  key: string;
  identity: ReminderIdentity;
  task: NewTask;
  row: SweepRow;
}

export interface ReminderOutbox {
  /** Queues a reminder: its intent is recorded by the next flush. */
  add(reminder: OutboxReminder): void;
  /** Flushes once a batch's worth is queued; the sweep asks after each deal, so a deal's reminders go together. */
  flushIfFull(): Promise<void>;
  /** Records the queued intents, then creates the tasks this sweep owns. */
  flush(): Promise<void>;
}

export interface ReminderOutboxDeps {
  store: Store;
  hubspot: Pick<HubSpotApis, 'tasks'>;
  logger: Logger;
}

/** One portal pass's outbox. */
export function createReminderOutbox(deps: ReminderOutboxDeps, pass: PortalPass): ReminderOutbox {
  const { store, hubspot, logger } = deps;
  const { portalId, now } = pass;
  /** Reminders waiting for their intents to be recorded (in one transaction per batch). */
  const due: OutboxReminder[] = [];
  /** Reminders whose intent is recorded, waiting for the batch create. */
  const pending: OutboxReminder[] = [];

  /**
   * Records the intents of the due reminders (one transaction for the batch, committed before HubSpot
   * hears of any of them), then creates the tasks of those this sweep owns.
   */
  async function flush() {
    const batch = due.splice(0);
    if (batch.length > 0) {
      let recorded;
      try {
        recorded = await store.reminders.recordReminderIntents(
          batch.map(({ key, identity, task }) => ({ key, ...identity, dueAt: task.dueAt, now })),
        );
      } catch (error) {
        // Nothing was recorded, so nothing was promised: these deals are simply due again next sweep.
        logger.warn('could not record reminder intents', { portalId, error });
        for (const reminder of batch)
          pass.record({ ...reminder.row, action: 'failed', detail: describeError(error) });
        recorded = null;
      }
      for (const [index, result] of (recorded ?? []).entries()) {
        const reminder = batch[index]!;
        try {
          if (result.created) pending.push(reminder);
          else await settleExisting(result.reminder, reminder);
        } catch (error) {
          logger.warn('stall sweep skipped a reminder', { portalId, key: reminder.key, error });
          pass.record({ ...reminder.row, action: 'failed', detail: describeError(error) });
        }
      }
    }
    const creates = pending.splice(0);
    for (const batchOfCreates of chunk(creates, TASK_BATCH_SIZE)) await createBatch(batchOfCreates);
  }

  /** A reminder recorded by an earlier sweep: nothing to do, a retry, or a reconciliation first. */
  async function settleExisting(existing: Reminder, reminder: OutboxReminder) {
    const step = decideRecordedReminderStep(existing, now);
    if (step === 'already-sent') {
      pass.report.alreadySent += 1;
    } else if (step === 'give-up') {
      pass.record({ ...reminder.row, action: 'gave up', detail: existing.lastError ?? undefined });
    } else if (step === 'retry') {
      // HubSpot refused it outright last time, so no task exists: create it, if this sweep wins the retry.
      if (await store.reminders.claimFailedReminder(reminder.key, now)) pending.push(reminder);
    } else if (
      step !== 'reconcile' ||
      !(await store.reminders.claimStaleReminderIntent(reminder.key, findIntentStaleBefore(now), now))
    ) {
      pass.report.inFlight += 1;
    } else {
      await reconcile(reminder);
    }
  }

  /** The create may have happened: look for the task's marker before creating it again. */
  async function reconcile(reminder: OutboxReminder) {
    const { key, row } = reminder;
    let found;
    try {
      found = await hubspot.tasks.findByMarker(portalId, buildReminderMarker(key));
    } catch (error) {
      await store.reminders.noteReminderOutcomeUnknown(key, describeError(error), now);
      pass.record({ ...row, action: 'reconcile next sweep', detail: describeError(error) });
      return;
    }
    const [existingTask] = found;
    if (existingTask) {
      await store.reminders.markReminderSent(key, existingTask.id, now);
      pass.record({ ...row, action: 'reconciled', detail: `task ${existingTask.id}` });
      return;
    }
    pending.push(reminder);
  }

  async function createBatch(batch: OutboxReminder[]): Promise<void> {
    let created;
    try {
      created = await hubspot.tasks.create(
        portalId,
        batch.map((reminder) => reminder.task),
      );
    } catch (error) {
      const message = describeError(error);
      if (isHubSpotError(error) && error.outcomeUnknown) {
        // The tasks may exist: keep the intents, and let a later sweep look for their markers.
        for (const reminder of batch) {
          await store.reminders.noteReminderOutcomeUnknown(reminder.key, message, now);
          pass.record({ ...reminder.row, action: 'reconcile next sweep', detail: message });
        }
        return;
      }
      if (
        isHubSpotError(error) &&
        error.status >= 400 &&
        error.status < 500 &&
        error.status !== 429 &&
        batch.length > 1
      ) {
        // HubSpot rejects a whole batch for one bad task (an owner who left, a deleted deal): try them
        // one by one so the others still go out.
        for (const reminder of batch) await createBatch([reminder]);
        return;
      }
      for (const reminder of batch) {
        await store.reminders.markReminderFailed(reminder.key, message, now);
        pass.record({ ...reminder.row, action: 'retry next sweep', detail: message });
      }
      logger.warn('reminder tasks not created; the next sweep retries', {
        portalId,
        count: batch.length,
        error,
      });
      return;
    }
    const byMarker = new Map(created.map((task) => [task.key, task]));
    const sent = batch.flatMap((reminder) => {
      const task = byMarker.get(reminder.task.key ?? '');
      return task ? [{ reminder, task }] : [];
    });
    await store.reminders.markRemindersSent(
      sent.map(({ reminder, task }) => ({ key: reminder.key, hubspotTaskId: task.id })),
      now,
    );
    for (const { reminder, task } of sent) {
      pass.record({ ...reminder.row, action: 'created', detail: `task ${task.id}` });
    }
    for (const reminder of batch) {
      if (!byMarker.has(reminder.task.key ?? '')) {
        await store.reminders.noteReminderOutcomeUnknown(
          reminder.key,
          'HubSpot returned no result for this task',
          now,
        );
        pass.record({ ...reminder.row, action: 'reconcile next sweep' });
      }
    }
  }

  return {
    add(reminder) {
      due.push(reminder);
    },
    async flushIfFull() {
      if (due.length >= TASK_BATCH_SIZE) await flush();
    },
    flush,
  };
}
