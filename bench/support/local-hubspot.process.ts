/**
 * The local HubSpot of the intake benchmark, in a process of its own as HubSpot is not in ours: the
 * sample portal and `count` deals with ids from `firstDealId`, no rate limit (the benchmark measures
 * the service, not HubSpot's budget). Requests: `{moveDeal: {dealId, stageId}}` moves a deal as a
 * rep would in HubSpot (the freshness probe), then the webhook tells the service; `{walk: {dealIds,
 * count, startMs}}` walks deals forward through the default pipeline (stage-walk.ts) and answers the
 * moves made, for the bench to send their webhooks.
 */
import { seedSamplePortal, startLocalHubSpot } from '../../sandbox/local-hubspot';
import { SAMPLE_PORTAL_ID, SAMPLE_TOKEN } from '../../test/support/service-harness';
import { walkMoves } from '../../test/integration/support/stage-walk';
import { serveBenchChild } from './bench-child';

export interface LocalHubSpotReady {
  url: string;
  /** The sample portal's super admin: a manager to the service. */
  managerUserId: string;
}
export interface MoveDealRequest {
  moveDeal: { dealId: string; stageId: string };
}
export interface WalkDealsRequest {
  walk: { dealIds: string[]; count: number; startMs: number };
}
export interface WalkedMove {
  dealId: string;
  stageId: string;
  atMs: number;
}

async function main(): Promise<void> {
  const [firstDealId, count] = process.argv.slice(2).map(Number) as [number, number];
  const hubspot = await startLocalHubSpot({ port: 0, rateLimit: false, searchRateLimit: false });
  const sample = seedSamplePortal(hubspot.state, { portalId: SAMPLE_PORTAL_ID, token: SAMPLE_TOKEN });
  const createdAt = new Date(Date.now() - 7 * 86_400_000);
  for (let index = 0; index < count; index += 1) {
    hubspot.state.upsertDeal(
      SAMPLE_PORTAL_ID,
      {
        id: String(firstDealId + index),
        properties: { dealname: `Bench deal ${index}`, dealstage: 'appointmentscheduled', amount: '1000' },
        createdAt,
      },
      createdAt,
    );
  }
  serveBenchChild<MoveDealRequest | WalkDealsRequest, WalkedMove[] | null>(
    { url: hubspot.url, managerUserId: sample.owners.manager.userId } satisfies LocalHubSpotReady,
    async (request) => {
      if ('walk' in request) {
        const { dealIds, count, startMs } = request.walk;
        return walkMoves(hubspot.state, SAMPLE_PORTAL_ID, dealIds, count, new Date(startMs)).map((move) => ({
          dealId: move.dealId,
          stageId: move.stageId,
          atMs: move.at.getTime(),
        }));
      }
      const { moveDeal } = request;
      hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, moveDeal.dealId, moveDeal.stageId, new Date());
      return null;
    },
    async () => {
      await hubspot.close();
      return null;
    },
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
