import { groupBy, resolveEscalationOwnerId } from '../../domain';
import type { Store } from '../../platform/db';
import { describeError } from '../../platform/errors/app-error';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { NewDealNote } from '../../platform/hubspot/notes.api';
import type { NewTask } from '../../platform/hubspot/tasks.api';
import type { DealsChangedListener } from '../../platform/module';
import type { Logger } from '../../platform/observability/logger';
import type { PlaybookService } from '../playbooks';
import {
  buildOutboxKey,
  JUSTIFY_OVERDUE_TASK,
  MOVE_BACK,
  REVERT_OWNER_TASK,
  TIMELINE_NOTE,
} from './exception-outbox.repository';
import type { DealException } from './exception.repository';
import type { ExceptionOutboxKind } from './exception.table';
import {
  buildExceptionMarker,
  buildJustifyOverdueTask,
  buildRevertOwnerTask,
  buildTimelineNote,
} from './exception-task.util';
import { tellDealChanged } from './deal-changed.notify';
import type { OwnerLookup } from './owner-lookup';

export const EXCEPTION_RESPONSES_LOCK = 'exception-responses';
/** Exceptions handled per kind of response and run; the next run takes the rest. */
export const RESPONSES_PER_RUN = 100;

export interface ResponsesRunReport {
  /** False when another instance holds the run. */
  ran: boolean;
  tasksCreated: number;
  /** Tasks an earlier attempt had created after all, found by their marker. */
  tasksFound: number;
  movedBack: number;
  /** Exceptions put on their deal's timeline (a note), or found there after a lost answer. */
  notes: number;
  /** Move-backs dropped: the deal had moved elsewhere meanwhile, or HubSpot no longer has it. */
  cancelled: number;
  failed: number;
}

type Outcome = 'task-created' | 'task-found' | 'moved-back' | 'already-back' | 'cancelled';

/**
 * What SOP Guide does in HubSpot about exceptions (DESIGN.md §7), each call once: a task for the
 * manager past a `justify` deadline; the deal moved back for `revert` (then a task for its owner) and
 * for a manager's rejection; a note on the deal's timeline for every exception. Every call's intent is recorded first under the key (exception, kind); an
 * intent an earlier attempt left is checked against HubSpot (the task's marker, the deal's stage) before
 * anything is sent again. One instance runs at a time (an advisory lock on PostgreSQL), and one
 * exception's failure never stops the others.
 */
export function createExceptionResponses(deps: {
  store: Store;
  hubspot: Pick<HubSpotApis, 'tasks' | 'deals' | 'notes'>;
  playbooks: PlaybookService;
  owners: OwnerLookup;
  logger: Logger;
  config: { managerOwnerId: string | null };
  dealsChanged: DealsChangedListener;
}) {
  const { store, hubspot, playbooks, owners, logger } = deps;

  const managerOf = async (exception: DealException, now: Date) => {
    const { playbook } = await playbooks.forPinnedVersion(exception.portalId, exception.playbookVersion);
    const teams = exception.ownerId
      ? await owners.teamIdsOfOwner(exception.portalId, exception.ownerId, now)
      : [];
    return resolveEscalationOwnerId(playbook.reminders, teams) ?? deps.config.managerOwnerId;
  };

  async function sendTask(
    exception: DealException,
    kind: ExceptionOutboxKind,
    buildTask: (marker: string) => Promise<NewTask>,
    now: Date,
  ): Promise<Outcome> {
    const { created, entry } = await store.exceptionOutbox.recordIntent(
      { portalId: exception.portalId, exceptionId: exception.id, kind },
      now,
    );
    const marker = buildExceptionMarker(entry.key);
    if (!created) {
      const [existing] = await hubspot.tasks.findByMarker(exception.portalId, marker);
      if (existing) {
        await store.exceptionOutbox.markSent(entry.key, existing.id, now);
        return 'task-found';
      }
    }
    const [task] = await hubspot.tasks.create(exception.portalId, [await buildTask(marker)]);
    if (!task) throw new Error('HubSpot created no task');
    await store.exceptionOutbox.markSent(entry.key, task.id, now);
    return 'task-created';
  }

  /**
   * Timeline notes, a portal's in one HubSpot batch create per 100: with a call per note, a burst of
   * exceptions used HubSpot's 100 calls per 10 s that the deal reads share (the intake bench's deals
   * were read at 54-80 events/s after a burst, against 800 without the notes). Each intent is recorded
   * first; one an earlier attempt left is looked up by its marker before it is sent again.
   */
  async function addTimelineNotes(
    exceptions: readonly DealException[],
    report: ResponsesRunReport,
    now: Date,
  ) {
    for (const [portalId, list] of groupBy(exceptions, (exception) => exception.portalId)) {
      const toSend: Array<{ exception: DealException; note: NewDealNote }> = [];
      for (const exception of list) {
        try {
          const { created, entry } = await store.exceptionOutbox.recordIntent(
            { portalId, exceptionId: exception.id, kind: TIMELINE_NOTE },
            now,
          );
          const marker = buildExceptionMarker(entry.key);
          const [existing] = created ? [] : await hubspot.notes.findByMarker(portalId, marker);
          if (existing) {
            await store.exceptionOutbox.markSent(entry.key, existing, now);
            report.notes += 1;
          } else {
            toSend.push({ exception, note: buildTimelineNote({ exception, marker, key: entry.key }) });
          }
        } catch (error) {
          await recordFailure(exception, TIMELINE_NOTE, error, report, now);
        }
      }
      if (toSend.length === 0) continue;
      let created: Map<string, string>;
      try {
        created = await hubspot.notes.createForDeals(
          portalId,
          toSend.map(({ note }) => note),
        );
      } catch (error) {
        for (const { exception } of toSend) await recordFailure(exception, TIMELINE_NOTE, error, report, now);
        continue;
      }
      for (const { exception, note } of toSend) {
        const noteId = created.get(note.key);
        if (noteId) {
          await store.exceptionOutbox.markSent(note.key, noteId, now);
          report.notes += 1;
        } else {
          const missing = new Error('HubSpot reported the note as not created');
          await recordFailure(exception, TIMELINE_NOTE, missing, report, now);
        }
      }
    }
  }

  /**
   * Back to the stage it left, only from the stage it moved to: a deal that moved on again since (or
   * was moved back by someone) is left alone. The write sets a value, so a retried write moves nothing
   * twice, and HubSpot's answer to a read decides whether an earlier attempt already landed.
   */
  async function moveBack(exception: DealException, now: Date): Promise<Outcome> {
    const { portalId, dealId } = exception;
    const { entry } = await store.exceptionOutbox.recordIntent(
      { portalId, exceptionId: exception.id, kind: MOVE_BACK },
      now,
    );
    const { deals } = await hubspot.deals.batchRead(portalId, [dealId], ['dealstage']);
    const stage = deals[0]?.properties.dealstage ?? null;
    if (stage === exception.fromStage) {
      await store.exceptionOutbox.markSent(entry.key, dealId, now);
      return 'already-back';
    }
    if (stage !== exception.toStage) {
      const reason = stage === null ? 'HubSpot no longer has the deal' : `the deal is in ${stage} now`;
      await store.exceptionOutbox.markCancelled(entry.key, reason, now);
      return 'cancelled';
    }
    const { updatedIds } = await hubspot.deals.batchUpdate(portalId, [
      { id: dealId, properties: { dealstage: exception.fromStage } },
    ]);
    if (!updatedIds.includes(dealId)) {
      await store.exceptionOutbox.markCancelled(entry.key, 'HubSpot no longer has the deal', now);
      return 'cancelled';
    }
    await store.exceptionOutbox.markSent(entry.key, dealId, now);
    return 'moved-back';
  }

  async function respond(
    exceptions: readonly DealException[],
    kind: ExceptionOutboxKind,
    work: (exception: DealException) => Promise<Outcome>,
    report: ResponsesRunReport,
    now: Date,
  ) {
    for (const exception of exceptions) {
      try {
        const outcome = await work(exception);
        if (outcome === 'task-created') report.tasksCreated += 1;
        if (outcome === 'task-found') report.tasksFound += 1;
        if (outcome === 'moved-back' || outcome === 'already-back') report.movedBack += 1;
        if (outcome === 'cancelled') report.cancelled += 1;
      } catch (error) {
        await recordFailure(exception, kind, error, report, now);
      }
    }
  }

  async function recordFailure(
    exception: DealException,
    kind: ExceptionOutboxKind,
    error: unknown,
    report: ResponsesRunReport,
    now: Date,
  ) {
    report.failed += 1;
    await store.exceptionOutbox.markAttemptFailed(
      buildOutboxKey(exception.id, kind),
      describeError(error),
      now,
    );
    logger.warn('exception response failed; the next run tries again', {
      portalId: exception.portalId,
      exceptionId: exception.id,
      kind,
      error,
    });
  }

  // Runs of one process take turns (a rejection's inline run and the periodic job); the advisory lock
  // keeps instances apart on PostgreSQL, and SQLite has one instance.
  let previousRun: Promise<unknown> = Promise.resolve();

  return {
    /**
     * One run: move-backs first (a revert is due at once), then the tasks that follow them, then
     * deadlines, then the timeline notes.
     */
    runDue(now: Date): Promise<ResponsesRunReport> {
      const run = previousRun.then(() => runOnce(now));
      previousRun = run.catch(() => undefined);
      return run;
    },
  };

  async function runOnce(now: Date): Promise<ResponsesRunReport> {
    const run = await store.withExclusiveLock(EXCEPTION_RESPONSES_LOCK, async () => {
      const report: ResponsesRunReport = {
        ran: true,
        tasksCreated: 0,
        tasksFound: 0,
        movedBack: 0,
        notes: 0,
        cancelled: 0,
        failed: 0,
      };
      await respond(
        await store.exceptions.listPendingMoveBacks(RESPONSES_PER_RUN),
        MOVE_BACK,
        async (exception) => {
          const outcome = await moveBack(exception, now);
          if (exception.mode === 'revert' && outcome !== 'cancelled') {
            await store.exceptions.markReverted(exception.portalId, exception.id, now);
            await tellDealChanged(deps, exception.portalId, exception.dealId, now);
          }
          return outcome;
        },
        report,
        now,
      );
      await respond(
        await store.exceptions.listPendingRevertTasks(RESPONSES_PER_RUN),
        REVERT_OWNER_TASK,
        (exception) =>
          sendTask(
            exception,
            REVERT_OWNER_TASK,
            async (marker) => buildRevertOwnerTask({ exception, marker, now }),
            now,
          ),
        report,
        now,
      );
      await respond(
        await store.exceptions.listOverdueJustifications(now, RESPONSES_PER_RUN),
        JUSTIFY_OVERDUE_TASK,
        (exception) =>
          sendTask(
            exception,
            JUSTIFY_OVERDUE_TASK,
            async (marker) =>
              buildJustifyOverdueTask({
                exception,
                managerOwnerId: await managerOf(exception, now),
                marker,
                now,
              }),
            now,
          ),
        report,
        now,
      );
      await addTimelineNotes(await store.exceptions.listPendingTimelineNotes(RESPONSES_PER_RUN), report, now);
      return report;
    });
    return run.acquired
      ? run.value
      : { ran: false, tasksCreated: 0, tasksFound: 0, movedBack: 0, notes: 0, cancelled: 0, failed: 0 };
  }
}

export type ExceptionResponses = ReturnType<typeof createExceptionResponses>;
