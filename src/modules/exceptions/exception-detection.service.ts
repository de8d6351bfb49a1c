import {
  addBusinessHours,
  buildBusinessCalendar,
  buildExceptionKey,
  describeMoveSource,
  isAppOwnMove,
  judgeStageMove,
  type ActionState,
} from '../../domain';
import type { Store } from '../../platform/db';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { DealStageMove } from '../../platform/module';
import type { MetricsRegistry } from '../../platform/observability/metrics.registry';
import type { DealRecord, StageChange } from '../deals';
import type { PlaybookService } from '../playbooks';
import type { PortalRegistry } from '../portals';

/** The stage entry a move left: its stage, when it began, and what the projection knew of it. */
export interface LeftStageEntry {
  stageId: string;
  enteredAt: Date;
  /** The entry's time as the projection (and so the checklist) keys it: HubSpot's own entry time. */
  checklistEnteredAt: Date;
  /** The playbook version pinned to the entry; null when the projection never saw the entry. */
  playbookVersion: number | null;
}

/**
 * Which stage entry a move at `movedAt` left, judged from history, never from the deal's current
 * stage: events arrive out of order, and a late, older event judged against today's stage would
 * describe a move that never happened. The latest recorded stage change before the move (webhooks,
 * backfill) says where the deal was; the projection from before the batch stands in when no change
 * was recorded, if it had entered that stage before the move. Null when neither can tell.
 */
export function findLeftStageEntry(
  history: readonly StageChange[],
  before: DealStageMove['before'],
  movedAt: Date,
): LeftStageEntry | null {
  const movedAtMs = movedAt.getTime();
  let prior: StageChange | null = null;
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
 * SOP unmet. Reads only the store and the cached pipelines; idempotent (the key is the entry left), so
 * a batch retried after a failure, or an event delivered twice, records nothing twice.
 */
export function createExceptionDetection(deps: ExceptionDetectionDeps) {
  const { store, hubspot, playbooks, portals } = deps;
  const judged = deps.metrics.counter(
    'sop_exception_moves_total',
    'Deal stage moves judged for exceptions, by outcome',
  );

  const stagesOf = async (portalId: number, pipelineId: string) => {
    const pipeline = (await hubspot.pipelines.getAll(portalId)).find(
      (candidate) => candidate.id === pipelineId,
    );
    return pipeline?.stages ?? [];
  };

  /** The checklist log of the entry as action states: the judgement picks each action's latest tick before the move. */
  const checklistOf = async (
    portalId: number,
    dealId: string,
    stageEnteredAt: Date,
  ): Promise<ActionState[]> =>
    (await store.actions.listActionCompletions(portalId, dealId, { stageEnteredAt })).map((entry) => ({
      actionId: entry.actionId,
      done: entry.done,
      by: entry.userId === null ? null : { userId: entry.userId, email: entry.userEmail },
      at: entry.at,
      note: entry.note,
    }));

  async function judgeMove(
    portalId: number,
    move: DealStageMove,
    deal: DealRecord,
    history: readonly StageChange[],
    now: Date,
  ): Promise<DetectionOutcome> {
    if (isAppOwnMove(move.changeSource, move.sourceId, move.appId)) return 'own-move';
    const left = findLeftStageEntry(history, move.before, move.occurredAt);
    if (!left) return 'unknown-entry';
    if (left.stageId === move.toStage) return 'no-move';
    const [{ version, playbook }, stages, actionStates] = await Promise.all([
      playbooks.forPinnedVersion(portalId, left.playbookVersion),
      stagesOf(portalId, deal.pipelineId),
      checklistOf(portalId, deal.dealId, left.checklistEnteredAt),
    ]);
    const movedBy = describeMoveSource(move.changeSource, move.sourceId);
    const verdict = judgeStageMove({
      playbook,
      deal,
      fromStage: left.stageId,
      toStage: move.toStage,
      stages,
      actionStates,
      movedAt: move.occurredAt,
      movedBy,
    });
    if (!verdict.exception) return verdict.reason;
    const { created } = await store.exceptions.recordException(
      {
        key: buildExceptionKey(deal.dealId, left.stageId, left.enteredAt),
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
      },
      now,
    );
    return created ? 'recorded' : 'duplicate';
  }

  return {
    async judgeStageMoves(portalId: number, moves: readonly DealStageMove[], now: Date): Promise<void> {
      const ordered = [...moves].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
      const dealIds = [...new Set(ordered.map((move) => move.dealId))];
      const deals = new Map(
        (await store.deals.getDeals(portalId, dealIds)).map((deal) => [deal.dealId, deal]),
      );
      // One query for the batch's histories: a query per deal made a batch of 500 moves wait on 500
      // round trips.
      const histories = await store.stageChanges.listStageChangesOfDeals(portalId, dealIds);
      for (const move of ordered) {
        const deal = deals.get(move.dealId);
        if (!deal || deal.deletedAt) continue;
        const history = histories.get(move.dealId) ?? [];
        judged.inc({ outcome: await judgeMove(portalId, move, deal, history, now) });
      }
    },
  };
}

export type ExceptionDetection = ReturnType<typeof createExceptionDetection>;
