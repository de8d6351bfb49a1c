import type { LocalHubSpotState } from '../../../sandbox/local-hubspot';
import { stageChangeEvent } from '../../support/service-harness';

/**
 * Load for the pipeline: `dealCount` new deals at the local HubSpot, each walked forward through the
 * default pipeline one stage per round, with the webhook events HubSpot would send for every move.
 */
export const WALK_STAGES = [
  'qualifiedtobuy',
  'presentationscheduled',
  'decisionmakerboughtin',
  'contractsent',
  'closedwon',
] as const;

export interface StageMove {
  dealId: string;
  stageId: string;
  at: Date;
  event: Record<string, unknown>;
}

export function addWalkDeals(
  state: LocalHubSpotState,
  portalId: number,
  count: number,
  createdAt: Date,
): string[] {
  return Array.from(
    { length: count },
    (_, index) =>
      state.upsertDeal(
        portalId,
        {
          properties: {
            dealname: `Load deal ${index + 1}`,
            pipeline: 'default',
            dealstage: 'appointmentscheduled',
            amount: String(1000 + index),
          },
          createdAt,
        },
        createdAt,
      ).id,
  );
}

/**
 * The moves of round `round` (0-based): every deal goes to WALK_STAGES[round], a millisecond apart,
 * `round` seconds after `start`. Moves the deals at the local HubSpot when `apply` is set.
 */
export function walkRound(
  state: LocalHubSpotState,
  portalId: number,
  dealIds: readonly string[],
  round: number,
  start: Date,
  apply = true,
): StageMove[] {
  const stageId = WALK_STAGES[round % WALK_STAGES.length]!;
  return dealIds.map((dealId, index) => {
    const at = new Date(start.getTime() + round * 1000 + index);
    if (apply) state.moveDealToStage(portalId, dealId, stageId, at);
    return { dealId, stageId, at, event: stageChangeEvent(dealId, stageId, at, portalId) };
  });
}

/** `count` moves, round after round over `dealIds` (a round moves every deal once), from `start`. */
export function walkMoves(
  state: LocalHubSpotState,
  portalId: number,
  dealIds: readonly string[],
  count: number,
  start: Date,
): StageMove[] {
  const moves: StageMove[] = [];
  for (let round = 0; moves.length < count; round += 1) {
    moves.push(...walkRound(state, portalId, dealIds.slice(0, count - moves.length), round, start));
  }
  return moves;
}

export function inBatches<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  return batches;
}
