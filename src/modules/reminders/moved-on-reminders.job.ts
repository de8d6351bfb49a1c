import { decideMovedOnReminderStep, findIntentStaleBefore } from '../../domain';
import { describeError } from '../../platform/errors/app-error';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { Logger } from '../../platform/observability/logger';
import type { Store } from '../../platform/db';
import type { Reminder } from './reminder.repository';
import { buildReminderMarker } from './reminder-task.util';
import type { PortalPass, SweepAction, SweepRow } from './sweep-report';

/** Moved-on reminders closed per portal per pass; the rest wait for the next sweep. */
const MOVED_ON_BATCH_SIZE = 500;

export interface MovedOnRemindersDeps {
  store: Store;
  hubspot: Pick<HubSpotApis, 'tasks'>;
  logger: Logger;
}

/**
 * Closes the reminders of stage entries that are over (the deal entered another stage, or was
 * deleted): the sweep for every deal of a portal (`dealIds` undefined), the inbox processor for the
 * deals a webhook batch touched. What each reminder takes is the domain's decideMovedOnReminderStep; a
 * dry run lists the tasks it would complete.
 */
export async function closeMovedOnReminders(
  deps: MovedOnRemindersDeps,
  pass: PortalPass,
  dealIds: readonly string[] | undefined,
): Promise<void> {
  const { store, hubspot, logger } = deps;
  const { portalId, now } = pass;
  const open = await store.reminders.listOpenRemindersOfPastStageEntries(portalId, {
    ...(dealIds === undefined ? {} : { dealIds }),
    limit: MOVED_ON_BATCH_SIZE,
  });
  if (open.length === 0) return;
  const toComplete = new Map<string, string[]>();
  const toClose: Reminder[] = [];
  for (const reminder of open) {
    const step = decideMovedOnReminderStep(reminder, now);
    if (step === 'complete-task') {
      toComplete.set(reminder.key, [reminder.hubspotTaskId!]);
    } else if (step === 'close') {
      toClose.push(reminder);
    } else if (step === 'look-up-then-complete') {
      if (pass.dryRun) {
        toComplete.set(reminder.key, []);
        continue;
      }
      const staleBefore = findIntentStaleBefore(now);
      if (!(await store.reminders.claimStaleReminderIntent(reminder.key, staleBefore, now))) continue;
      try {
        const found = await hubspot.tasks.findByMarker(portalId, buildReminderMarker(reminder.key));
        toComplete.set(
          reminder.key,
          found.map((task) => task.id),
        );
      } catch (error) {
        await store.reminders.noteReminderOutcomeUnknown(reminder.key, describeError(error), now);
      }
    }
  }
  const rowOf = (reminder: Reminder, action: SweepAction, detail?: string): SweepRow => ({
    portalId,
    dealId: reminder.dealId,
    dealName: null,
    assigneeOwnerId: null,
    stepId: null,
    daysStalled: null,
    kind: reminder.kind,
    action,
    ...(detail === undefined ? {} : { detail }),
  });
  const byKey = new Map(open.map((reminder) => [reminder.key, reminder]));
  if (pass.dryRun) {
    for (const key of toComplete.keys()) pass.record(rowOf(byKey.get(key)!, 'would complete'));
    return;
  }
  const taskIds = [...toComplete.values()].flat();
  if (taskIds.length > 0) {
    try {
      await hubspot.tasks.complete(portalId, taskIds);
    } catch (error) {
      // Left open: the next pass (this deal's next event, or the next sweep) completes them.
      logger.warn('could not complete moved-on reminder tasks', { portalId, error });
      for (const key of toComplete.keys())
        pass.record(rowOf(byKey.get(key)!, 'failed', describeError(error)));
      toComplete.clear();
    }
  }
  const closed = [...toComplete.keys(), ...toClose.map((reminder) => reminder.key)];
  await store.reminders.markRemindersCompleted(closed, now);
  for (const key of closed) {
    const reminder = byKey.get(key)!;
    pass.record(
      rowOf(reminder, 'completed', reminder.hubspotTaskId ? `task ${reminder.hubspotTaskId}` : undefined),
    );
  }
}
