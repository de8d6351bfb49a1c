import { previewEnforcement, type Playbook, type RecordedStageMove } from '../../domain';
import type { Store } from '../../platform/db';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { EnforcementPreview } from '../../../extensions/app/settings/src/playbook-api.schema';
import { groupByDeal, listEntryChecklist } from './exception-detection.service';

/** The preview reads at most this many of the window's moves (the newest); it says when there were more. */
export const MAX_PREVIEWED_MOVES = 5_000;
const DEALS_PER_READ = 500;
const DAY_MS = 24 * 60 * 60_000;

/**
 * "How many recent moves would each mode have caught?": the moves exception detection judged in the
 * last `days` days, judged again against a candidate playbook, from stored data only. The checklist is
 * taken as it stood at each move; checks read the deal's data as the projection holds it now (it keeps
 * no history of properties), so a deal fixed since counts as met.
 */
export function createEnforcementPreview(deps: { store: Store; hubspot: Pick<HubSpotApis, 'pipelines'> }) {
  const { store, hubspot } = deps;

  /** `read` over the ids a slice at a time: a preview may span thousands of deals. */
  const readInSlices = async <T>(
    dealIds: string[],
    read: (slice: string[]) => Promise<T[]>,
  ): Promise<T[]> => {
    const all: T[] = [];
    // Sequential on purpose: a SQLite store has one connection.
    for (let index = 0; index < dealIds.length; index += DEALS_PER_READ) {
      all.push(...(await read(dealIds.slice(index, index + DEALS_PER_READ))));
    }
    return all;
  };
  const readDeals = async (portalId: number, dealIds: string[]) => {
    const deals = await readInSlices(dealIds, (slice) => store.deals.getDeals(portalId, slice));
    return new Map(deals.filter((deal) => !deal.deletedAt).map((deal) => [deal.dealId, deal]));
  };
  const readChecklists = (portalId: number, dealIds: string[]) =>
    readInSlices(dealIds, (slice) => store.actions.listActionCompletions(portalId, slice));

  return {
    async preview(
      portalId: number,
      candidate: Playbook,
      days: number,
      now: Date,
    ): Promise<EnforcementPreview> {
      const since = new Date(now.getTime() - days * DAY_MS);
      const recorded = await store.judgedMoves.listJudgedMoves(portalId, since, MAX_PREVIEWED_MOVES + 1);
      const judged = recorded.slice(0, MAX_PREVIEWED_MOVES);
      const dealIds = [...new Set(judged.map((move) => move.dealId))];
      const [deals, pipelines] = await Promise.all([
        readDeals(portalId, dealIds),
        hubspot.pipelines.getAll(portalId),
      ]);
      const checklists = groupByDeal(await readChecklists(portalId, [...deals.keys()]));
      const moves: RecordedStageMove[] = judged.flatMap((move) => {
        const deal = deals.get(move.dealId);
        if (!deal) return [];
        return [
          {
            deal,
            fromStage: move.fromStage,
            toStage: move.toStage,
            stages: pipelines.find((pipeline) => pipeline.id === deal.pipelineId)?.stages ?? [],
            actionStates: listEntryChecklist(checklists.get(move.dealId) ?? [], move.checklistEnteredAt),
            movedAt: move.movedAt,
            movedBy: move.movedBy,
          },
        ];
      });
      return {
        evaluatedAt: now.toISOString(),
        since: since.toISOString(),
        days,
        movesJudged: moves.length,
        truncated: recorded.length > MAX_PREVIEWED_MOVES,
        steps: previewEnforcement(candidate, moves),
      };
    },
  };
}

export type EnforcementPreviewService = ReturnType<typeof createEnforcementPreview>;
