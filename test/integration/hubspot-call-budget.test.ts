import { SAMPLE_PORTAL_ID, startTestService, type TestService } from '../support/service-harness';
import { DEALS_BATCH_READ, DEAL_PIPELINES } from './support/integration-helpers';
import { addWalkDeals, inBatches, walkMoves } from './support/stage-walk';

/**
 * Issue 7's budget: processing stage-change webhooks costs at most 2 HubSpot calls per 100 events
 * (one call per event would exhaust a portal's 100–190 requests per 10 s at once). Measured at the
 * local HubSpot, which records every request the real SDK makes.
 */
const EVENTS = 1_000;
const DEALS = 300;
const BATCH_SIZE = 100;
const MAX_CALLS_PER_100_EVENTS = 2;

describe('HubSpot calls per 1,000 stage-change events', () => {
  let t: TestService;

  beforeAll(async () => {
    t = await startTestService({ database: 'sqlite' });
  });
  afterAll(async () => {
    await t.stop();
  });

  it(`processing ${EVENTS} events over ${DEALS} deals makes at most ${MAX_CALLS_PER_100_EVENTS} calls per 100 events`, async () => {
    const dealIds = addWalkDeals(t.hubspot.state, SAMPLE_PORTAL_ID, DEALS, new Date('2026-11-01T00:00:00Z'));
    const start = new Date(t.clock.now().getTime() - 60 * 60_000);
    const moves = walkMoves(t.hubspot.state, SAMPLE_PORTAL_ID, dealIds, EVENTS, start);
    const events = moves;
    t.hubspot.requests.length = 0;

    for (const batch of inBatches(events, BATCH_SIZE)) {
      const response = await t.sendWebhook(batch.map((move) => move.event));
      expect(response.body.stored).toBe(batch.length);
    }
    expect(await t.drainInbox()).toBe(EVENTS);

    const byPath = new Map<string, number>();
    for (const request of t.hubspot.requests) byPath.set(request.path, (byPath.get(request.path) ?? 0) + 1);
    const dealReads = byPath.get(DEALS_BATCH_READ) ?? 0;
    const pipelineReads = byPath.get(DEAL_PIPELINES) ?? 0;
    const total = t.hubspot.requests.length;
    console.log(
      `HubSpot calls for ${EVENTS} stage-change events over ${DEALS} deals: ${total} in all ` +
        `(${((total / EVENTS) * 100).toFixed(2)} per 100 events; deals batch reads ${dealReads}, ` +
        `pipeline reads ${pipelineReads}; by path ${JSON.stringify(Object.fromEntries(byPath))}); ` +
        `one call per event would be ${EVENTS}`,
    );

    // Every call counts towards the budget: deal reads, pipeline reads and association reads alike.
    expect(total).toBeLessThanOrEqual((EVENTS / 100) * MAX_CALLS_PER_100_EVENTS);
    expect(dealReads + pipelineReads).toBeLessThanOrEqual(total);
    // Everything else is batched too: no endpoint is called more than once per 100 events.
    for (const [path, count] of byPath) expect([path, count <= EVENTS / 100]).toEqual([path, true]);
    const store = t.running.services.store;
    expect(await store.inbox.countInboxByStatus()).toMatchObject({ done: EVENTS, parked: 0, pending: 0 });
    const lastRound = new Map(events.map((move) => [move.dealId, move.stageId]));
    for (const [dealId, stageId] of lastRound) {
      expect((await store.deals.getDeal(SAMPLE_PORTAL_ID, dealId))?.stageId).toBe(stageId);
    }
  });
});
