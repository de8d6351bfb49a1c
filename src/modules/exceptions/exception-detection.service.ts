import {
  addBusinessHours,
  buildBusinessCalendar,
  buildExceptionKey,
  groupBy,
  describeMoveSource,
  isAppOwnMove,
  judgeStageMove,
  listHubSpotStageMoves,
  type ActionState,
  type PropertyHistoryValue,
} from '../../domain';
import { runRebuildableWrites, type Store } from '../../platform/db';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { DealStageMove, StageMovesContext } from '../../platform/module';
import type { MetricsRegistry } from '../../platform/observability/metrics.registry';
import type { ActionCompletion } from '../checklist';
import type { DealRecord, StageEntryChange } from '../deals';
import type { PlaybookService, VersionedPlaybook } from '../playbooks';
import type { PortalRegistry } from '../portals';
import type { JudgedStageMove } from './judged-move.repository';

/** The stage entry a move left: its stage, when it began, and what the projection knew of it. */
export interface LeftStageEntry {
  stageId: string;
  enteredAt: Date;
  /** The entry's time as the projection (and so the checklist) keys it: HubSpot's own entry time. */
  checklistEnteredAt: Date;
  /** The playbook version pinned to the entry; null when the projection never saw the entry. */
  playbookVersion: number | null;
}

/** HubSpot's history and the webhooks tell one change's time on two clocks, a few milliseconds apart. */
const SAME_CHANGE_WITHIN_MS = 1_000;

/**
 * Which stage entry a move at `movedAt` left, judged from history, never from the deal's current
 * stage: events arrive out of order, and a late, older event judged against today's stage would
 * describe a move that never happened. The latest recorded stage change before the move (webhooks,
 * backfill) says where the deal was; the projection from before the batch stands in when no change
 * was recorded, if it had entered that stage before the move. Null when neither can tell.
 *
 * Then HubSpot's history (`hubspotMoves`, read with the batch's deals) fills a gap: a move it shows
 * after that entry began and before this move is one whose webhook has not arrived yet (a newer event
 * came first). This move left the entry that move began, not the one recorded; judged from the
 * recorded one it would read as a skip that never happened, and the entry really left would never be
 * judged. Only after an entry the service knew: an entry that began before it knew the deal is not
 * judged from HubSpot's history alone.
 */
export function findLeftStageEntry(
  history: readonly StageEntryChange[],
  before: DealStageMove['before'],
  movedAt: Date,
  hubspotMoves: readonly PropertyHistoryValue[],
): LeftStageEntry | null {
  const known = findKnownStageEntry(history, before, movedAt);
  if (!known) return null;
  const unrecorded = findUnrecordedMove(hubspotMoves, known, movedAt);
  return unrecorded
    ? {
        stageId: unrecorded.value,
        enteredAt: unrecorded.timestamp,
        checklistEnteredAt: unrecorded.timestamp,
        playbookVersion: null,
      }
    : known;
}

function findKnownStageEntry(
  history: readonly StageEntryChange[],
  before: DealStageMove['before'],
  movedAt: Date,
): LeftStageEntry | null {
  const movedAtMs = movedAt.getTime();
  let prior: StageEntryChange | null = null;
  for (const change of history) {
    if (change.occurredAt.getTime() < movedAtMs) prior = change;
  }
  const projected = before && before.stageEnteredAt.getTime() < movedAtMs ? before : null;
  if (prior && projected && prior.toStage === projected.stageId) {
    // One entry seen twice: its key comes from the recorded change (the same whichever event is
    // judged first), its checklist and pinned version from the projection.
    return {
      stageId: prior.toStage,
      enteredAt: prior.occurredAt,
      checklistEnteredAt: projected.stageEnteredAt,
      playbookVersion: projected.playbookVersion,
    };
  }
  if (prior && (!projected || prior.occurredAt.getTime() >= projected.stageEnteredAt.getTime())) {
    return {
      stageId: prior.toStage,
      enteredAt: prior.occurredAt,
      checklistEnteredAt: prior.occurredAt,
      playbookVersion: null,
    };
  }
  if (projected) {
    return {
      stageId: projected.stageId,
      enteredAt: projected.stageEnteredAt,
      checklistEnteredAt: projected.stageEnteredAt,
      playbookVersion: projected.playbookVersion,
    };
  }
  return null;
}

/**
 * The latest of HubSpot's moves strictly between the known entry's start and this move (each end
 * widened by the clocks' difference: those are the known entry's own change and this move's). A first
 * move back into the known entry's stage is that entry as HubSpot timed it, not a move.
 */
function findUnrecordedMove(
  hubspotMoves: readonly PropertyHistoryValue[],
  known: LeftStageEntry,
  movedAt: Date,
): PropertyHistoryValue | null {
  const fromMs = known.enteredAt.getTime() + SAME_CHANGE_WITHIN_MS;
  const untilMs = movedAt.getTime() - SAME_CHANGE_WITHIN_MS;
  let latest: PropertyHistoryValue | null = null;
  for (const move of hubspotMoves) {
    const atMs = move.timestamp.getTime();
    if (atMs <= fromMs || atMs >= untilMs) continue;
    if (latest === null && move.value === known.stageId) continue;
    latest = move;
  }
  return latest;
}

/** A checklist log entry as the judgement reads it. */
function toActionState(entry: ActionCompletion): ActionState {
  return {
    actionId: entry.actionId,
    done: entry.done,
    by: entry.userId === null ? null : { userId: entry.userId, email: entry.userEmail },
    at: entry.at,
    note: entry.note,
  };
}

/** Records of several deals, each deal's in the order read (oldest first). */
export function groupByDeal<T extends { dealId: string }>(records: readonly T[]): Map<string, T[]> {
  return groupBy(records, (record) => record.dealId);
}

/** One stage entry's checklist, as action states, from the deal's whole log. */
export function listEntryChecklist(log: readonly ActionCompletion[], stageEnteredAt: Date): ActionState[] {
  const entryMs = stageEnteredAt.getTime();
  return log.filter((entry) => entry.stageEnteredAt.getTime() === entryMs).map(toActionState);
}

export type DetectionOutcome =
  'recorded' | 'duplicate' | 'sop-met' | 'no-step' | 'exempt' | 'own-move' | 'unknown-entry' | 'no-move';

export interface ExceptionDetectionDeps {
  store: Store;
  hubspot: Pick<HubSpotApis, 'pipelines'>;
  playbooks: PlaybookService;
  portals: Pick<PortalRegistry, 'timeZoneOf'>;
  metrics: MetricsRegistry;
}

/**
 * Judges every stage move the inbox applies and records one exception per stage entry left with its
 * SOP unmet, and every move judged (for the enforcement preview). Reads only the store and the cached
 * pipelines; idempotent (the key is the entry left), so a batch retried after a failure, or an event
 * delivered twice, records nothing twice.
 */
export function createExceptionDetection(deps: ExceptionDetectionDeps) {
  const { store, hubspot, playbooks, portals } = deps;
  const judged = deps.metrics.counter(
    'sop_exception_moves_total',
    'Deal stage moves judged for exceptions, by outcome',
  );

  return {
    /**
     * `context.currentDeals`: deals the caller holds as the projection has them now (the others are read);
     * `context.stageHistories`: HubSpot's dealstage history of the deals the batch read.
     */
    async judgeStageMoves(
      portalId: number,
      moves: readonly DealStageMove[],
      now: Date,
      context: StageMovesContext,
    ): Promise<void> {
      // Counted once per outcome a batch: a labelled counter's increment is not free, per move.
      const outcomes = new Map<DetectionOutcome, number>();
      const tally = (outcome: DetectionOutcome) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      try {
        await judgeBatch(portalId, moves, now, context, tally);
      } finally {
        for (const [outcome, count] of outcomes) judged.inc({ outcome }, count);
      }
    },
  };

  async function judgeBatch(
    portalId: number,
    moves: readonly DealStageMove[],
    now: Date,
    { currentDeals, stageHistories }: StageMovesContext,
    tally: (outcome: DetectionOutcome) => void,
  ): Promise<void> {
    // The app's own moves (reverts, rejections) are told by the event alone: nothing is read for them.
    const ordered = moves
      .filter((move) => {
        const own = isAppOwnMove(move.changeSource, move.sourceId, move.appId);
        if (own) tally('own-move');
        return !own;
      })
      .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    if (ordered.length === 0) return;
    const dealIds = [...new Set(ordered.map((move) => move.dealId))];
    // At most three reads for the whole batch, sequential on purpose (a SQLite store has one connection);
    // the deals the inbox just read from HubSpot are not read again.
    const deals = new Map(currentDeals);
    const unknown = dealIds.filter((dealId) => !deals.has(dealId));
    if (unknown.length > 0) {
      for (const deal of await store.deals.getDeals(portalId, unknown)) deals.set(deal.dealId, deal);
    }
    const histories = groupByDeal(
      // Moves are in time order: the first and last ones' times bound the history every move needs
      // (a move left the entry its latest change before it began).
      await store.stageChanges.listStageChangesBetween(
        portalId,
        dealIds,
        ordered[0]!.occurredAt,
        ordered[ordered.length - 1]!.occurredAt,
      ),
    );
    const checklists = groupByDeal(await store.actions.listActionCompletions(portalId, dealIds));

    // Which entry each move left, first: the pinned versions and the pipelines the judgements need are
    // then read once each, and the judgements themselves run without an await between them.
    const leaving: Array<{ move: DealStageMove; deal: DealRecord; left: LeftStageEntry }> = [];
    const hubspotMoves = new Map(
      dealIds.map((dealId) => [dealId, listHubSpotStageMoves(stageHistories.get(dealId) ?? [])]),
    );
    for (const move of ordered) {
      const deal = deals.get(move.dealId);
      if (!deal || deal.deletedAt) continue;
      const left = findLeftStageEntry(
        histories.get(move.dealId) ?? [],
        move.before,
        move.occurredAt,
        hubspotMoves.get(move.dealId) ?? [],
      );
      if (!left) tally('unknown-entry');
      else if (left.stageId === move.toStage) tally('no-move');
      else leaving.push({ move, deal, left });
    }
    if (leaving.length === 0) return;
    // An unpinned entry (null) follows the current version.
    const playbookOf = new Map<number | null, VersionedPlaybook>();
    for (const pinned of new Set(leaving.map(({ left }) => left.playbookVersion))) {
      playbookOf.set(pinned, await playbooks.forPinnedVersion(portalId, pinned));
    }
    const pipelines = await hubspot.pipelines.getAll(portalId);
    const stagesOf = (pipelineId: string) =>
      pipelines.find((candidate) => candidate.id === pipelineId)?.stages ?? [];

    const judgedMoves = new Map<string, JudgedStageMove>();
    const exceptions: ExceptionToRecord[] = [];
    for (const { move, deal, left } of leaving) {
      const key = buildExceptionKey(deal.dealId, left.stageId, left.enteredAt);
      const movedBy = describeMoveSource(move.changeSource, move.sourceId);
      judgedMoves.set(key, {
        key,
        dealId: deal.dealId,
        fromStage: left.stageId,
        checklistEnteredAt: left.checklistEnteredAt,
        toStage: move.toStage,
        movedAt: move.occurredAt,
        movedBy,
      });
      const { version, playbook } = playbookOf.get(left.playbookVersion)!;
      // The entry's checklist; the judgement picks each action's latest tick before the move.
      const verdict = judgeStageMove({
        playbook,
        deal,
        fromStage: left.stageId,
        toStage: move.toStage,
        stages: stagesOf(deal.pipelineId),
        actionStates: listEntryChecklist(checklists.get(move.dealId) ?? [], left.checklistEnteredAt),
        movedAt: move.occurredAt,
        movedBy,
      });
      if (!verdict.exception) {
        tally(verdict.reason);
        continue;
      }
      exceptions.push({
        key,
        portalId,
        dealId: deal.dealId,
        fromStage: left.stageId,
        fromEnteredAt: left.enteredAt,
        toStage: move.toStage,
        movedAt: move.occurredAt,
        movedBy,
        ownerId: deal.ownerId,
        stepId: verdict.stepId,
        mode: verdict.mode,
        openItems: verdict.openItems,
        playbookVersion: version > 0 ? version : null,
        justifyDueAt:
          verdict.mode === 'justify'
            ? addBusinessHours(
                move.occurredAt,
                verdict.justifyWithinBusinessHours,
                buildBusinessCalendar(playbook, portals.timeZoneOf(portalId)),
              )
            : null,
      });
    }
    if (exceptions.length > 0) {
      const created = await store.exceptions.recordExceptions(exceptions, now);
      // Two moves of the batch judged to leave one entry: the first records it, the second is a duplicate.
      for (const { key } of exceptions) tally(created.delete(key) ? 'recorded' : 'duplicate');
    }
    // Every move's row, so the commit need not wait for the disk (rebuildable-writes.ts): a lost one is
    // lost with the inbox's completion after it, and the events' new apply judges the moves again. The
    // exceptions above stay durable: their responses act on HubSpot.
    await runRebuildableWrites(() =>
      store.judgedMoves.recordJudgedMoves(portalId, [...judgedMoves.values()]),
    );
  }
}

type ExceptionToRecord = Parameters<Store['exceptions']['recordExceptions']>[0][number];

export type ExceptionDetection = ReturnType<typeof createExceptionDetection>;
