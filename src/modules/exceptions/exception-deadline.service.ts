import { resolveEscalationOwnerId } from '../../domain';
import type { Store } from '../../platform/db';
import { describeError } from '../../platform/errors/app-error';
import type { HubSpotGateway } from '../../platform/hubspot/hubspot-gateway.types';
import type { Logger } from '../../platform/observability/logger';
import type { PlaybookService } from '../playbooks';
import { buildOutboxKey, JUSTIFY_OVERDUE_TASK } from './exception-outbox.repository';
import type { DealException } from './exception.repository';
import { buildExceptionMarker, buildJustifyOverdueTask } from './exception-task.util';
import type { OwnerLookup } from './owner-lookup';

export const EXCEPTION_DEADLINE_LOCK = 'exception-deadlines';
/** Overdue justifications handled per run; the next run takes the rest. */
export const OVERDUE_PER_RUN = 100;

export interface DeadlineRunReport {
  /** False when another instance holds the run. */
  ran: boolean;
  tasksCreated: number;
  /** Tasks an earlier attempt had created after all, found by their marker. */
  tasksFound: number;
  failed: number;
}

/**
 * Past a `justify` exception's deadline with no reason given, its owner's manager gets one HubSpot task
 * (DESIGN.md §7). Intent is recorded before the call under the key (exception, kind); an intent left
 * by a crash or a lost answer is looked up by its marker before any second create. One instance runs
 * at a time (an advisory lock on PostgreSQL), and one exception's failure never stops the others.
 */
export function createExceptionDeadlines(deps: {
  store: Store;
  hubspot: Pick<HubSpotGateway, 'createTasks' | 'findTasksByMarker'>;
  playbooks: PlaybookService;
  owners: OwnerLookup;
  logger: Logger;
  config: { managerOwnerId: string | null };
}) {
  const { store, hubspot, playbooks, owners, logger } = deps;

  const managerOf = async (exception: DealException, now: Date) => {
    const { playbook } = await playbooks.forPinnedVersion(exception.portalId, exception.playbookVersion);
    const teams = exception.ownerId
      ? await owners.teamIdsOfOwner(exception.portalId, exception.ownerId, now)
      : [];
    return resolveEscalationOwnerId(playbook.reminders, teams) ?? deps.config.managerOwnerId;
  };

  async function sendTask(exception: DealException, now: Date): Promise<'created' | 'found'> {
    const { created, entry } = await store.exceptionOutbox.recordIntent(
      { portalId: exception.portalId, exceptionId: exception.id, kind: JUSTIFY_OVERDUE_TASK },
      now,
    );
    const marker = buildExceptionMarker(entry.key);
    if (!created) {
      const [existing] = await hubspot.findTasksByMarker(exception.portalId, marker);
      if (existing) {
        await store.exceptionOutbox.markSent(entry.key, existing.id, now);
        return 'found';
      }
    }
    const task = buildJustifyOverdueTask({
      exception,
      managerOwnerId: await managerOf(exception, now),
      marker,
      now,
    });
    const [createdTask] = await hubspot.createTasks(exception.portalId, [task]);
    if (!createdTask) throw new Error('HubSpot created no task');
    await store.exceptionOutbox.markSent(entry.key, createdTask.id, now);
    return 'created';
  }

  return {
    async sendOverdueTasks(now: Date): Promise<DeadlineRunReport> {
      const run = await store.withExclusiveLock(EXCEPTION_DEADLINE_LOCK, async () => {
        const report: DeadlineRunReport = { ran: true, tasksCreated: 0, tasksFound: 0, failed: 0 };
        for (const exception of await store.exceptions.listOverdueJustifications(now, OVERDUE_PER_RUN)) {
          try {
            const outcome = await sendTask(exception, now);
            if (outcome === 'created') report.tasksCreated += 1;
            else report.tasksFound += 1;
          } catch (error) {
            report.failed += 1;
            await store.exceptionOutbox.markAttemptFailed(
              buildOutboxKey(exception.id, JUSTIFY_OVERDUE_TASK),
              describeError(error),
              now,
            );
            logger.warn('justification deadline task failed; the next run tries again', {
              portalId: exception.portalId,
              exceptionId: exception.id,
              error,
            });
          }
        }
        return report;
      });
      return run.acquired ? run.value : { ran: false, tasksCreated: 0, tasksFound: 0, failed: 0 };
    },
  };
}

export type ExceptionDeadlines = ReturnType<typeof createExceptionDeadlines>;
