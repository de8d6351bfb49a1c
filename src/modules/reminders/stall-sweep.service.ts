import { describeError } from '../../platform/errors/app-error';
import {
  buildBusinessCalendar,
  buildReminderKey,
  countReminderRound,
  countBusinessDaysBetween,
  escalationDue,
  evaluateStall,
  evaluateStep,
  nextBusinessDayAt,
  resolveEscalationOwnerId,
  resolveStepForStage,
  selectActiveSnooze,
  type BusinessCalendar,
  type Playbook,
  type PlaybookStep,
  type StallEvaluation,
} from '../../domain';
import { isHubSpotError } from '../../platform/hubspot/hubspot-error';
import type { HubSpotGateway, NewTask } from '../../platform/hubspot/hubspot-gateway.types';
import type { MetricsRegistry } from '../../platform/observability/metrics.registry';
import type { Logger } from '../../platform/observability/logger';
import type { PlaybookService } from '../playbooks/playbook.service';
import type { PortalRegistry } from '../portals/portal-registry';
import {
  type DealRecord,
  type Reminder,
  type ReminderIdentity,
  type ReminderKind,
  type Snooze,
  type StageEntryCursor,
  type StageEntryPage,
  type Store,
} from '../../platform/db';
import { createOwnerDirectory, type OwnerDirectory } from './owner-directory.cache';
import {
  buildReminderMarker,
  buildReminderTask,
  countDaysStalled,
  findLatestStallableEntry,
  REMINDER_DUE_HOUR_LOCAL,
} from './reminder-task.util';

/**
 * The stalled-deal sweep (DESIGN.md §1 "Automation"): find the deals that could be stalled with an
 * indexed query, judge each with the domain, and give each stall one HubSpot task for the owner, then
 * one for the manager if it lasts. Nothing is sent twice:
 *
 * - every reminder has a deterministic key (portal, deal, stage entry, kind, round), and the intent is
 *   stored under it before HubSpot is called; only the caller that inserted it creates the task;
 * - a create whose answer was lost leaves the intent in place, and the task carries a marker derived
 *   from the key, so a later sweep searches for the marker before creating anything again;
 * - a refused create (429, 4xx) is marked failed and simply tried again by the next sweep;
 * - on PostgreSQL one instance sweeps at a time (advisory lock), and the keys hold even without it.
 *
 * One deal's (or one portal's) failure is logged and reported, and the sweep goes on.
 */
export const SWEEP_LOCK_NAME = 'stall-sweep';
export const SWEEP_PAGE_SIZE = 1000;
/** HubSpot's batch create limit: pending tasks are flushed in calls of at most this many. */
export const TASK_BATCH_SIZE = 100;
/**
 * An intent older than this is not a create in flight (one create call lasts seconds, even with its
 * rate-limit retries) but a lost answer or a crash: it is reconciled. Shorter than the default sweep
 * interval, so the next sweep settles it.
 */
export const REMINDER_INTENT_STALE_MS = 10 * 60 * 1000;
/** After this many failed tries, a reminder stops being retried (a task HubSpot keeps refusing). */
export const MAX_REMINDER_ATTEMPTS = 8;
/** Moved-on reminders closed per portal per pass; the rest wait for the next sweep. */
const MOVED_ON_BATCH_SIZE = 500;

export type SweepAction =
  | 'created'
  | 'would create'
  | 'reconciled'
  | 'would reconcile'
  | 'would retry'
  | 'retry next sweep'
  | 'reconcile next sweep'
  | 'gave up'
  | 'completed'
  | 'would complete'
  | 'failed';

export interface SweepRow {
  portalId: number;
  dealId: string;
  dealName: string | null;
  /** Who the task is (or was) for. */
  assigneeOwnerId: string | null;
  stepId: string | null;
  daysStalled: number | null;
  kind: ReminderKind;
  action: SweepAction;
  detail?: string;
}

export interface SweepReport {
  /** False when another instance holds the sweep lock: this run did nothing. */
  ran: boolean;
  dryRun: boolean;
  now: string;
  portals: number;
  /** Deals read because they entered their stage before the earliest stallable time. */
  candidates: number;
  stalled: number;
  snoozed: number;
  /** Reminders due that an earlier sweep already sent. */
  alreadySent: number;
  /** Reminders another sweep is creating right now. */
  inFlight: number;
  rows: SweepRow[];
}

export interface SweepOptions {
  now: Date;
  dryRun?: boolean;
}

export interface StallSweepService {
  sweep(options: SweepOptions): Promise<SweepReport>;
  /**
   * Completes the open reminder tasks of deals that entered another stage (or were deleted): the
   * inbox processor calls it with the deals a webhook batch touched, the sweep for every deal.
   */
  completeRemindersOfMovedDeals(portalId: number, dealIds: readonly string[], now: Date): Promise<SweepRow[]>;
}

export interface StallSweepDeps {
  store: Store;
  hubspot: HubSpotGateway;
  playbooks: PlaybookService;
  portals: PortalRegistry;
  logger: Logger;
  metrics: MetricsRegistry;
  /** MANAGER_OWNER_ID: who gets escalations when the playbook names no manager. */
  managerOwnerId: string | null;
  owners?: OwnerDirectory;
  pageSize?: number;
}

interface PendingTask {
  key: string;
  task: NewTask;
  row: SweepRow;
}

/** A reminder found due, whose intent is not recorded yet. */
interface DueReminder extends PendingTask {
  identity: ReminderIdentity;
}

interface JudgingPlaybook {
  playbook: Playbook;
  calendar: BusinessCalendar;
  /** When a task created by this sweep is due. */
  dueAt: Date;
  /** Whether the playbook (or MANAGER_OWNER_ID) names anybody to escalate to. */
  anyManager: boolean;
}

interface DueKind {
  kind: ReminderKind;
  assigneeOwnerId: string | null;
  /** The deal owner's name, shown to the manager in an escalation. */
  dealOwnerName: string | null;
}

interface DueReminderOfDeal extends DueKind {
  identity: ReminderIdentity;
  key: string;
}

/** A deal the domain found stalled, with the reminders its stall makes due. */
interface StalledDeal {
  deal: DealRecord;
  step: PlaybookStep;
  judging: JudgingPlaybook;
  stall: StallEvaluation;
  due: DueReminderOfDeal[];
}

interface PortalSweep {
  portalId: number;
  now: Date;
  dryRun: boolean;
  report: SweepReport;
  /** Due reminders waiting for their intents to be recorded (in one transaction per batch). */
  due: DueReminder[];
  /** Reminders whose intent is recorded, waiting for the batch create. */
  pending: PendingTask[];
  /** Playbooks by pinned version (null: the current one), read once per sweep. */
  playbooks: Map<number | null, Promise<JudgingPlaybook>>;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += size) chunks.push(items.slice(index, index + size));
  return chunks;
}

export function createStallSweepService(deps: StallSweepDeps): StallSweepService {
  const { store, hubspot, playbooks, portals, logger, metrics } = deps;
  const owners = deps.owners ?? createOwnerDirectory(hubspot);
  const pageSize = deps.pageSize ?? SWEEP_PAGE_SIZE;
  const remindersTotal = metrics.counter('sop_reminders_total', 'Stalled-deal reminders by kind and outcome');
  const sweepsTotal = metrics.counter('sop_sweeps_total', 'Stalled-deal sweeps by outcome');

  const staleBefore = (now: Date) => new Date(now.getTime() - REMINDER_INTENT_STALE_MS);

  function record(sweep: PortalSweep, row: SweepRow) {
    sweep.report.rows.push(row);
    if (!sweep.dryRun) remindersTotal.inc({ kind: row.kind, outcome: row.action });
  }

  async function findCutoff(portalId: number, now: Date): Promise<Date | null> {
    // Deals are judged by the playbook pinned when they entered their stage: an older version with a
    // shorter threshold must not be missed, so every version the portal has counts.
    const versions = await store.playbooks.listPlaybookVersions(portalId);
    const judged =
      versions.length === 0
        ? [await playbooks.current(portalId)]
        : await Promise.all(versions.map((row) => playbooks.atVersion(portalId, row.version)));
    let cutoff: Date | null = null;
    for (const entry of judged) {
      if (!entry) continue;
      const calendar = buildBusinessCalendar(entry.playbook, portals.timeZoneOf(portalId));
      const latest = findLatestStallableEntry(entry.playbook, now, calendar);
      if (latest !== null && (cutoff === null || latest > cutoff)) cutoff = latest;
    }
    return cutoff;
  }

  /** The playbook a deal is judged by, with what the sweep derives from it, read once per sweep. */
  function judgeWith(sweep: PortalSweep, pinnedVersion: number | null): Promise<JudgingPlaybook> {
    let judging = sweep.playbooks.get(pinnedVersion);
    if (!judging) {
      judging = playbooks.forPinnedVersion(sweep.portalId, pinnedVersion).then(({ playbook }) => {
        const calendar = buildBusinessCalendar(playbook, portals.timeZoneOf(sweep.portalId));
        return {
          playbook,
          calendar,
          dueAt: nextBusinessDayAt(sweep.now, calendar, REMINDER_DUE_HOUR_LOCAL),
          // With nobody named to escalate to, there is no reason to read the owners from HubSpot at all.
          anyManager:
            Object.keys(playbook.reminders?.teamManagers ?? {}).length > 0 ||
            (playbook.reminders?.managerOwnerId ?? deps.managerOwnerId) !== null,
        };
      });
      sweep.playbooks.set(pinnedVersion, judging);
    }
    return judging;
  }

  /**
   * Pages through the candidates in stage-entry order. Per page: one query for the snoozes, the verdicts
   * in memory, one query for the reminders already recorded, and one write-back mark for the deals whose
   * stall verdict changed; only the deals that need a new task cost a read of their checklist.
   */
  async function sweepPortal(sweep: PortalSweep) {
    const { portalId, now } = sweep;
    await closeMovedOnReminders(sweep, undefined);
    const cutoff = await findCutoff(portalId, now);
    if (cutoff === null) return;
    const readPage = (after?: StageEntryCursor) =>
      store.deals.pageDealsEnteredStageBefore(portalId, cutoff, {
        ...(after === undefined ? {} : { after }),
        limit: pageSize,
      });
    let nextPage: Promise<StageEntryPage> | null = readPage();
    while (nextPage !== null) {
      const page: StageEntryPage = await nextPage;
      // The next page is read while this one is judged: on PostgreSQL the two overlap.
      nextPage = page.next === null ? null : readPage(page.next);
      nextPage?.catch(() => undefined);
      sweep.report.candidates += page.deals.length;
      const snoozesByDeal = new Map<string, Snooze[]>();
      if (page.deals.length > 0) {
        for (const snooze of await store.snoozes.listSnoozesForDeals(
          portalId,
          page.deals.map((deal) => deal.dealId),
        )) {
          snoozesByDeal.set(snooze.dealId, [...(snoozesByDeal.get(snooze.dealId) ?? []), snooze]);
        }
      }
      const stalled: StalledDeal[] = [];
      const stallChanged: string[] = [];
      for (const deal of page.deals) {
        try {
          const verdict = await judgeDeal(sweep, deal, snoozesByDeal.get(deal.dealId) ?? []);
          if (verdict !== null) stalled.push(verdict);
          // HubSpot's sop_guide_stalled follows time passing too, not only events: mark what changed.
          if ((verdict === null ? 'false' : 'true') !== (deal.writtenStalled ?? 'false')) {
            stallChanged.push(deal.dealId);
          }
        } catch (error) {
          recordDealFailure(sweep, deal, error);
        }
      }
      await markStallChanges(sweep, stallChanged);
      await planReminders(sweep, stalled);
    }
    await flushDue(sweep);
  }

  function recordDealFailure(sweep: PortalSweep, deal: DealRecord, error: unknown) {
    logger.warn('stall sweep skipped a deal', { portalId: sweep.portalId, dealId: deal.dealId, error });
    record(sweep, {
      portalId: sweep.portalId,
      dealId: deal.dealId,
      dealName: deal.properties.dealname ?? null,
      assigneeOwnerId: deal.ownerId,
      stepId: null,
      daysStalled: null,
      kind: 'owner',
      action: 'failed',
      detail: describeError(error),
    });
  }

  /** One write for the page; a failure only delays the property until the next sweep or event. */
  async function markStallChanges(sweep: PortalSweep, dealIds: readonly string[]) {
    if (sweep.dryRun || dealIds.length === 0) return;
    try {
      await store.writebacks.markDealsForWriteback(sweep.portalId, dealIds, sweep.now);
    } catch (error) {
      logger.warn('stall sweep could not mark deals for write-back', {
        portalId: sweep.portalId,
        count: dealIds.length,
        error,
      });
    }
  }

  /** The domain's verdict on one deal, and the reminders its stall makes due; null when it is not stalled. */
  async function judgeDeal(
    sweep: PortalSweep,
    deal: DealRecord,
    dealSnoozes: readonly Snooze[],
  ): Promise<StalledDeal | null> {
    const { portalId, now } = sweep;
    const judging = await judgeWith(sweep, deal.playbookVersion);
    const { playbook, calendar } = judging;
    const { step } = resolveStepForStage(playbook, deal.pipelineId, deal.stageId);
    if (step === null) return null;
    const snoozedUntil = selectActiveSnooze(dealSnoozes, now, deal.stageEnteredAt)?.until ?? null;
    const stall = evaluateStall({ deal, step, now, calendar, snoozedUntil });
    if (!stall.stalled) {
      if (stall.snoozedUntil !== null) sweep.report.snoozed += 1;
      return null;
    }
    sweep.report.stalled += 1;
    const round = countReminderRound(dealSnoozes, deal.stageEnteredAt, now);

    const due: DueKind[] = [{ kind: 'owner', assigneeOwnerId: deal.ownerId, dealOwnerName: null }];
    if (
      judging.anyManager &&
      escalationDue({ stall, step, reminders: playbook.reminders ?? null, now, calendar })
    ) {
      const dealOwner = await owners.findOwner(portalId, deal.ownerId, now);
      const managerOwnerId =
        resolveEscalationOwnerId(
          playbook.reminders ?? null,
          (dealOwner?.teams ?? []).map((team) => team.id),
        ) ?? deps.managerOwnerId;
      // Nobody to escalate to, or the owner is their own manager: the owner's reminder is the whole story.
      if (managerOwnerId !== null && managerOwnerId !== deal.ownerId) {
        const ownerName = dealOwner
          ? [dealOwner.firstName, dealOwner.lastName].filter(Boolean).join(' ') || dealOwner.email
          : null;
        due.push({ kind: 'escalation', assigneeOwnerId: managerOwnerId, dealOwnerName: ownerName });
      }
    }
    return {
      deal,
      step,
      judging,
      stall,
      due: due.map((reminder) => {
        const identity: ReminderIdentity = {
          portalId,
          dealId: deal.dealId,
          stageEnteredAt: deal.stageEnteredAt,
          kind: reminder.kind,
          round,
        };
        return { ...reminder, identity, key: buildReminderKey(identity) };
      }),
    };
  }

  /**
   * Sorts a page's due reminders by what earlier sweeps recorded (one query): those already sent cost
   * nothing more, a dry run only reports, and the rest get their task built and queued for the batch.
   */
  async function planReminders(sweep: PortalSweep, stalled: readonly StalledDeal[]) {
    if (stalled.length === 0) return;
    const recorded = new Map(
      (
        await store.reminders.listRemindersByKeys(stalled.flatMap((deal) => deal.due.map((due) => due.key)))
      ).map((reminder) => [reminder.key, reminder]),
    );
    for (const stalledDeal of stalled) {
      try {
        const open = stalledDeal.due.filter((due) => {
          const existing = recorded.get(due.key);
          if (existing?.status !== 'sent' && existing?.status !== 'completed') return true;
          sweep.report.alreadySent += 1;
          return false;
        });
        if (open.length === 0) continue;
        if (sweep.dryRun) {
          for (const due of open) reportDryRun(sweep, stalledDeal, due, recorded.get(due.key) ?? null);
          continue;
        }
        await queueReminders(sweep, stalledDeal, open);
      } catch (error) {
        recordDealFailure(sweep, stalledDeal.deal, error);
      }
      if (sweep.due.length >= TASK_BATCH_SIZE) await flushDue(sweep);
    }
  }

  function rowOfDue({ deal, step, stall }: StalledDeal, due: DueReminderOfDeal): SweepRow {
    return {
      portalId: deal.portalId,
      dealId: deal.dealId,
      dealName: deal.properties.dealname ?? null,
      assigneeOwnerId: due.assigneeOwnerId,
      stepId: step.id,
      daysStalled: countDaysStalled(stall),
      kind: due.kind,
      action: 'created',
    };
  }

  /** A dry run only reads what earlier sweeps recorded. */
  function reportDryRun(
    sweep: PortalSweep,
    stalledDeal: StalledDeal,
    due: DueReminderOfDeal,
    existing: Reminder | null,
  ) {
    const action = dryRunAction(existing, sweep.now);
    if (action !== null) record(sweep, { ...rowOfDue(stalledDeal, due), action });
    else if (existing?.status === 'intent') sweep.report.inFlight += 1;
    else sweep.report.alreadySent += 1;
  }

  /** Builds the tasks of a deal's open reminders (its checklist is read only now) and queues them. */
  async function queueReminders(sweep: PortalSweep, stalledDeal: StalledDeal, open: DueReminderOfDeal[]) {
    const { portalId, now } = sweep;
    const { deal, step, stall, judging } = stalledDeal;
    const actionStates = await store.actions.listActionStates(portalId, deal.dealId, {
      stageEnteredAt: deal.stageEnteredAt,
    });
    const { blockers } = evaluateStep({ deal, step, actionStates, now });
    const stageLabel =
      (await hubspot.getStageLabel(portalId, deal.pipelineId, deal.stageId).catch(() => null)) ??
      deal.stageId;
    const businessDaysStalled =
      stall.stalledSince === null
        ? 0
        : countBusinessDaysBetween(new Date(stall.stalledSince), now, judging.calendar);
    for (const due of open) {
      const task = buildReminderTask({
        kind: due.kind,
        portalId,
        dealId: deal.dealId,
        dealName: deal.properties.dealname ?? null,
        stepTitle: step.title,
        stageLabel,
        stall,
        blockers,
        assigneeOwnerId: due.assigneeOwnerId,
        dealOwnerName: due.dealOwnerName,
        businessDaysStalled,
        marker: buildReminderMarker(due.key),
        dueAt: judging.dueAt,
      });
      sweep.due.push({ identity: due.identity, key: due.key, task, row: rowOfDue(stalledDeal, due) });
    }
  }

  /**
   * Records the intents of the due reminders (one transaction for the batch, committed before HubSpot
   * hears of any of them), then creates the tasks of those this sweep owns.
   */
  async function flushDue(sweep: PortalSweep) {
    const due = sweep.due.splice(0);
    if (due.length > 0) {
      let recorded;
      try {
        recorded = await store.reminders.recordReminderIntents(
          due.map(({ key, identity, task }) => ({ key, ...identity, dueAt: task.dueAt, now: sweep.now })),
        );
      } catch (error) {
        // Nothing was recorded, so nothing was promised: these deals are simply due again next sweep.
        logger.warn('could not record reminder intents', { portalId: sweep.portalId, error });
        for (const reminder of due)
          record(sweep, { ...reminder.row, action: 'failed', detail: describeError(error) });
        recorded = null;
      }
      for (const [index, result] of (recorded ?? []).entries()) {
        const reminder = due[index]!;
        try {
          if (result.created) sweep.pending.push(reminder);
          else await settleExisting(sweep, result.reminder, reminder);
        } catch (error) {
          logger.warn('stall sweep skipped a reminder', {
            portalId: sweep.portalId,
            key: reminder.key,
            error,
          });
          record(sweep, { ...reminder.row, action: 'failed', detail: describeError(error) });
        }
      }
    }
    await flushPending(sweep);
  }

  /** A reminder recorded by an earlier sweep: nothing to do, a retry, or a reconciliation first. */
  async function settleExisting(sweep: PortalSweep, existing: Reminder, { key, task, row }: PendingTask) {
    const { now } = sweep;
    if (existing.status === 'sent' || existing.status === 'completed') {
      sweep.report.alreadySent += 1;
      return;
    }
    if (existing.attempts >= MAX_REMINDER_ATTEMPTS) {
      record(sweep, { ...row, action: 'gave up', detail: existing.lastError ?? undefined });
      return;
    }
    if (existing.status === 'failed') {
      // HubSpot refused it outright last time, so no task exists: create it, if this sweep wins the retry.
      if (await store.reminders.claimFailedReminder(key, now)) sweep.pending.push({ key, task, row });
      return;
    }
    if (
      existing.updatedAt >= staleBefore(now) ||
      !(await store.reminders.claimStaleReminderIntent(key, staleBefore(now), now))
    ) {
      sweep.report.inFlight += 1;
      return;
    }
    await reconcile(sweep, key, task, row);
  }

  function dryRunAction(existing: Reminder | null, now: Date): SweepAction | null {
    if (existing === null) return 'would create';
    if (existing.status === 'sent' || existing.status === 'completed') return null;
    if (existing.attempts >= MAX_REMINDER_ATTEMPTS) return 'gave up';
    if (existing.status === 'failed') return 'would retry';
    return existing.updatedAt < staleBefore(now) ? 'would reconcile' : null;
  }

  /** The create may have happened: look for the task's marker before creating it again. */
  async function reconcile(sweep: PortalSweep, key: string, task: NewTask, row: SweepRow) {
    const { portalId, now } = sweep;
    let found;
    try {
      found = await hubspot.findTasksByMarker(portalId, buildReminderMarker(key));
    } catch (error) {
      await store.reminders.noteReminderOutcomeUnknown(key, describeError(error), now);
      record(sweep, { ...row, action: 'reconcile next sweep', detail: describeError(error) });
      return;
    }
    const [existingTask] = found;
    if (existingTask) {
      await store.reminders.markReminderSent(key, existingTask.id, now);
      record(sweep, { ...row, action: 'reconciled', detail: `task ${existingTask.id}` });
      return;
    }
    sweep.pending.push({ key, task, row });
  }

  async function flushPending(sweep: PortalSweep) {
    const pending = sweep.pending.splice(0);
    for (const batch of chunk(pending, TASK_BATCH_SIZE)) await createBatch(sweep, batch);
  }

  async function createBatch(sweep: PortalSweep, batch: PendingTask[]): Promise<void> {
    const { portalId, now } = sweep;
    let created;
    try {
      created = await hubspot.createTasks(
        portalId,
        batch.map((pending) => pending.task),
      );
    } catch (error) {
      const message = describeError(error);
      if (isHubSpotError(error) && error.outcomeUnknown) {
        // The tasks may exist: keep the intents, and let a later sweep look for their markers.
        for (const pending of batch) {
          await store.reminders.noteReminderOutcomeUnknown(pending.key, message, now);
          record(sweep, { ...pending.row, action: 'reconcile next sweep', detail: message });
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
        for (const pending of batch) await createBatch(sweep, [pending]);
        return;
      }
      for (const pending of batch) {
        await store.reminders.markReminderFailed(pending.key, message, now);
        record(sweep, { ...pending.row, action: 'retry next sweep', detail: message });
      }
      logger.warn('reminder tasks not created; the next sweep retries', {
        portalId,
        count: batch.length,
        error,
      });
      return;
    }
    const byMarker = new Map(created.map((task) => [task.key, task]));
    const sent = batch.flatMap((pending) => {
      const task = byMarker.get(pending.task.key ?? '');
      return task ? [{ pending, task }] : [];
    });
    await store.reminders.markRemindersSent(
      sent.map(({ pending, task }) => ({ key: pending.key, hubspotTaskId: task.id })),
      now,
    );
    for (const { pending, task } of sent) {
      record(sweep, { ...pending.row, action: 'created', detail: `task ${task.id}` });
    }
    for (const pending of batch) {
      if (!byMarker.has(pending.task.key ?? '')) {
        await store.reminders.noteReminderOutcomeUnknown(
          pending.key,
          'HubSpot returned no result for this task',
          now,
        );
        record(sweep, { ...pending.row, action: 'reconcile next sweep' });
      }
    }
  }

  /**
   * Closes the reminders of stage entries that are over. A sent task is completed in HubSpot; a failed
   * one never existed; an intent whose answer was lost is looked up by its marker first; a fresh intent
   * is another sweep's create in flight, closed by a later pass.
   */
  async function closeMovedOnReminders(sweep: PortalSweep, dealIds: readonly string[] | undefined) {
    const { portalId, now } = sweep;
    const open = await store.reminders.listOpenRemindersOfPastStageEntries(portalId, {
      ...(dealIds === undefined ? {} : { dealIds }),
      limit: MOVED_ON_BATCH_SIZE,
    });
    if (open.length === 0) return;
    const toComplete = new Map<string, string[]>();
    const toClose: Reminder[] = [];
    for (const reminder of open) {
      if (reminder.status === 'sent' && reminder.hubspotTaskId) {
        toComplete.set(reminder.key, [reminder.hubspotTaskId]);
      } else if (reminder.status === 'failed') {
        toClose.push(reminder);
      } else if (reminder.status === 'intent' && reminder.updatedAt < staleBefore(now)) {
        if (sweep.dryRun) {
          toComplete.set(reminder.key, []);
          continue;
        }
        if (!(await store.reminders.claimStaleReminderIntent(reminder.key, staleBefore(now), now))) continue;
        try {
          const found = await hubspot.findTasksByMarker(portalId, buildReminderMarker(reminder.key));
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
    if (sweep.dryRun) {
      for (const key of toComplete.keys()) record(sweep, rowOf(byKey.get(key)!, 'would complete'));
      return;
    }
    const taskIds = [...toComplete.values()].flat();
    if (taskIds.length > 0) {
      try {
        await hubspot.completeTasks(portalId, taskIds);
      } catch (error) {
        // Left open: the next pass (this deal's next event, or the next sweep) completes them.
        logger.warn('could not complete moved-on reminder tasks', { portalId, error });
        for (const key of toComplete.keys())
          record(sweep, rowOf(byKey.get(key)!, 'failed', describeError(error)));
        toComplete.clear();
      }
    }
    const closed = [...toComplete.keys(), ...toClose.map((reminder) => reminder.key)];
    await store.reminders.markRemindersCompleted(closed, now);
    for (const key of closed) {
      const reminder = byKey.get(key)!;
      record(
        sweep,
        rowOf(reminder, 'completed', reminder.hubspotTaskId ? `task ${reminder.hubspotTaskId}` : undefined),
      );
    }
  }

  function emptyReport(now: Date, dryRun: boolean): SweepReport {
    return {
      ran: true,
      dryRun,
      now: now.toISOString(),
      portals: 0,
      candidates: 0,
      stalled: 0,
      snoozed: 0,
      alreadySent: 0,
      inFlight: 0,
      rows: [],
    };
  }

  /** One portal's pass, adding its rows to `report` (whose dryRun it follows). */
  function startPortalSweep(portalId: number, now: Date, report: SweepReport): PortalSweep {
    return { portalId, now, dryRun: report.dryRun, report, due: [], pending: [], playbooks: new Map() };
  }

  async function sweepAll(now: Date, dryRun: boolean): Promise<SweepReport> {
    const report = emptyReport(now, dryRun);
    for (const portalId of portals.installedPortalIds()) {
      report.portals += 1;
      const sweep = startPortalSweep(portalId, now, report);
      try {
        await sweepPortal(sweep);
      } catch (error) {
        // One portal's trouble (its database rows, its HubSpot) never holds up the others.
        logger.error('stall sweep failed for a portal', { portalId, error });
        await flushDue(sweep).catch(() => undefined);
      }
    }
    return report;
  }

  return {
    async sweep({ now, dryRun = false }) {
      if (dryRun) return sweepAll(now, true);
      const run = await store.withExclusiveLock(SWEEP_LOCK_NAME, () => sweepAll(now, false));
      sweepsTotal.inc({ outcome: run.acquired ? 'swept' : 'locked-elsewhere' });
      if (!run.acquired) return { ...emptyReport(now, false), ran: false };
      logger.info('stall sweep done', {
        candidates: run.value.candidates,
        stalled: run.value.stalled,
        actions: run.value.rows.length,
      });
      return run.value;
    },

    async completeRemindersOfMovedDeals(portalId, dealIds, now) {
      const sweep = startPortalSweep(portalId, now, emptyReport(now, false));
      await closeMovedOnReminders(sweep, dealIds);
      return sweep.report.rows;
    },
  };
}
