import {
  resolveStepForStage,
  selectVersionInForce,
  summarizeClosedDeal,
  type PipelineStageFacts,
  type Playbook,
  type StepAtEntry,
} from '../../domain';
import type { Store } from '../../platform/db';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { DealPipeline } from '../../platform/hubspot/pipelines.api';
import type { Logger } from '../../platform/observability/logger';
import type { PlaybookService } from '../playbooks';
import type { PendingDeal } from './insights.repository';

/** Deals read from HubSpot per run: one batch read. */
export const HISTORY_BATCH_SIZE = 100;
/** A deal HubSpot keeps refusing is dropped from the queue after this many runs (its outcome is missing). */
export const MAX_HISTORY_ATTEMPTS = 10;

export interface ClosedDealHistoryDeps {
  store: Pick<Store, 'deals' | 'actions' | 'playbooks' | 'insights'>;
  hubspot: Pick<HubSpotApis, 'deals' | 'pipelines'>;
  playbooks: PlaybookService;
  logger: Logger;
}

export interface ClosedDealHistoryService {
  /** Queues deals whose projection changed (a listener must not wait on HubSpot). */
  markChanged(portalId: number, dealIds: readonly string[], now: Date): Promise<void>;
  /** Reads one batch of queued deals from HubSpot and records their outcomes; returns how many it handled. */
  recordPending(now: Date): Promise<number>;
}

/** The properties a closed deal's history is read from: its money, dates and per-stage entry/exit times. */
function historyProperties(pipeline: DealPipeline): string[] {
  return [
    'amount',
    'closedate',
    'createdate',
    ...pipeline.stages.flatMap((stage) => [
      `hs_v2_date_entered_${stage.id}`,
      `hs_v2_date_exited_${stage.id}`,
    ]),
  ];
}

/**
 * Keeps the closed-deal history the outcomes read: a deal that reached a closed stage (by webhook or
 * backfill) is read once from HubSpot with its stage timing properties, and its outcome, cycle time and
 * per-step completion are stored; a deal that left a closed stage (reopened) or was deleted leaves it.
 */
export function createClosedDealHistoryService(deps: ClosedDealHistoryDeps): ClosedDealHistoryService {
  const { store, hubspot, playbooks, logger } = deps;

  async function recordPortal(portalId: number, marks: PendingDeal[], now: Date) {
    const deals = new Map(
      (
        await store.deals.getDeals(
          portalId,
          marks.map((mark) => mark.dealId),
        )
      ).map((deal) => [deal.dealId, deal]),
    );
    const pipelines = await hubspot.pipelines.getAll(portalId);
    const closedStageOf = (pipelineId: string, stageId: string) => {
      const pipeline = pipelines.find((p) => p.id === pipelineId);
      const stage = pipeline?.stages.find((s) => s.id === stageId && s.isClosed);
      return pipeline && stage ? { pipeline, stage } : null;
    };
    const closed = [...deals.values()].filter(
      (deal) => deal.deletedAt === null && closedStageOf(deal.pipelineId, deal.stageId) !== null,
    );
    const closedIds = new Set(closed.map((deal) => deal.dealId));
    await store.insights.deleteClosedDeals(
      portalId,
      marks.map((mark) => mark.dealId).filter((dealId) => !closedIds.has(dealId)),
    );
    if (closed.length === 0) return;

    const versions = await store.playbooks.listPublishTimes(portalId);
    const appInUseSince = versions.length > 0 ? versions[0]!.publishedAt : null;
    const playbookCache = new Map<number | null, Promise<Playbook>>();
    const playbookAt = (version: number | null) => {
      let cached = playbookCache.get(version);
      if (!cached) {
        cached = playbooks.forPinnedVersion(portalId, version).then((found) => found.playbook);
        playbookCache.set(version, cached);
      }
      return cached;
    };

    const byPipeline = new Map<string, typeof closed>();
    for (const deal of closed)
      byPipeline.set(deal.pipelineId, [...(byPipeline.get(deal.pipelineId) ?? []), deal]);
    for (const [pipelineId, pipelineDeals] of byPipeline) {
      const pipeline = pipelines.find((p) => p.id === pipelineId)!;
      const read = await hubspot.deals.batchRead(
        portalId,
        pipelineDeals.map((deal) => deal.dealId),
        historyProperties(pipeline),
      );
      const readById = new Map(read.deals.map((deal) => [deal.id, deal]));
      for (const deal of pipelineDeals) {
        const hubspotDeal = readById.get(deal.dealId);
        const found = closedStageOf(deal.pipelineId, deal.stageId);
        if (!hubspotDeal || !found) continue;
        const stageIds = pipeline.stages.map((stage) => stage.id);
        // Each stage entry is judged by the playbook in force when the deal entered it (as pinning does).
        const stepsAt = new Map<string, StepAtEntry | null>();
        for (const stageId of stageIds) {
          const entered = hubspotDeal.properties[`hs_v2_date_entered_${stageId}`];
          if (!entered) continue;
          const playbook = await playbookAt(selectVersionInForce(versions, new Date(entered)));
          const resolution = resolveStepForStage(playbook, pipelineId, stageId);
          stepsAt.set(
            stageId,
            resolution.step === null
              ? null
              : {
                  stepId: resolution.step.id,
                  requiredActionIds: resolution.step.actions
                    .filter((action) => action.required)
                    .map((action) => action.id),
                },
          );
        }
        const ticks = await store.actions.listActionStates(portalId, deal.dealId);
        const closedStage: PipelineStageFacts = found.stage;
        const facts = summarizeClosedDeal({
          closedStage,
          properties: {
            ...hubspotDeal.properties,
            createdate: hubspotDeal.properties.createdate ?? hubspotDeal.createdAt.toISOString(),
          },
          stageIds,
          stepAt: (stageId) => stepsAt.get(stageId) ?? null,
          ticks: ticks.map((tick) => ({
            stageEnteredAt: tick.stageEnteredAt,
            stepId: tick.stepId,
            actionId: tick.actionId,
            done: tick.done,
            at: tick.at ?? now,
          })),
          appInUseSince,
          observedAt: deal.stageEnteredAt,
        });
        if (!facts) continue;
        await store.insights.saveClosedDeal(
          {
            ...facts,
            portalId,
            dealId: deal.dealId,
            pipelineId: deal.pipelineId,
            ownerId: deal.ownerId,
            playbookVersion: deal.playbookVersion,
          },
          now,
        );
      }
    }
  }

  return {
    markChanged: (portalId, dealIds, now) => store.insights.markPending(portalId, dealIds, now),

    async recordPending(now) {
      const pending = await store.insights.listPending(HISTORY_BATCH_SIZE);
      const byPortal = new Map<number, PendingDeal[]>();
      for (const mark of pending) byPortal.set(mark.portalId, [...(byPortal.get(mark.portalId) ?? []), mark]);
      for (const [portalId, marks] of byPortal) {
        try {
          await recordPortal(portalId, marks, now);
          await store.insights.completePending(marks);
        } catch (error) {
          // One portal's trouble never holds up another's; its marks are retried on the next run.
          logger.warn('closed-deal history not recorded; retried on the next run', { portalId, error });
          await store.insights.failPending(marks, MAX_HISTORY_ATTEMPTS);
        }
      }
      return pending.length;
    },
  };
}
