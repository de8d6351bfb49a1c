import type { RunningService } from '../../src/app/compose';
import {
  DEALS_BATCH_READ,
  metricValue,
  postSignedWebhook,
  startAnotherInstance,
} from '../integration/support/integration-helpers';
import {
  WALK_STAGES,
  addWalkDeals,
  inBatches,
  walkRound,
  type StageMove,
} from '../integration/support/stage-walk';
import { SAMPLE_PORTAL_ID, startTestService, type TestService } from '../support/service-harness';
import type { Store } from '../../src/platform/db';
import { createRandom, FUZZ_SEED, int, pick } from './support/seeded-random';
import { stageHistoryOf } from '../support/store/store-reads';

/**
 * Nothing lost, nothing doubled: many batches processed while the local HubSpot answers 429, 500,
 * slowly, or not at all; and two instances draining one PostgreSQL inbox at once.
 */
const HOUR_MS = 60 * 60 * 1000;
const SOAK = process.env.SOAK === '1';
const DEALS = SOAK ? 400 : 60;
const MAX_DRAIN_ROUNDS = 40;

async function expectEveryMoveAppliedOnce(store: Store, dealIds: string[], moves: StageMove[]) {
  const expected = new Map<string, string[]>();
  for (const move of moves) expected.set(move.dealId, [...(expected.get(move.dealId) ?? []), move.stageId]);
  expect(await store.inbox.countInboxByStatus()).toMatchObject({
    done: moves.length,
    pending: 0,
    processing: 0,
    parked: 0,
  });
  for (const dealId of dealIds) {
    const stages = expected.get(dealId)!;
    expect((await store.deals.getDeal(SAMPLE_PORTAL_ID, dealId))?.stageId).toBe(stages.at(-1));
    const changes = await stageHistoryOf(store, SAMPLE_PORTAL_ID, dealId);
    expect([dealId, changes.map((change) => change.toStage)]).toEqual([dealId, stages]);
  }
}

describe('processing while the local HubSpot injects 429, 500, latency and lost answers', () => {
  let t: TestService;

  beforeAll(async () => {
    // A short per-attempt timeout, so slow and lost answers turn into retries quickly.
    t = await startTestService({
      database: 'sqlite',
      overrides: { hubspot: { sleep: async () => undefined, timeoutMs: 150, maxAttempts: 2 } },
    });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('every acknowledged event is applied exactly once in the end, and nothing is parked', async () => {
    const random = createRandom(FUZZ_SEED);
    const dealIds = addWalkDeals(t.hubspot.state, SAMPLE_PORTAL_ID, DEALS, new Date('2026-11-01T00:00:00Z'));
    const start = new Date(t.clock.now().getTime() - 2 * HOUR_MS);
    const moves: StageMove[] = [];
    for (let round = 0; round < WALK_STAGES.length; round += 1) {
      const roundMoves = walkRound(t.hubspot.state, SAMPLE_PORTAL_ID, dealIds, round, start);
      for (const batch of inBatches(roundMoves, 50)) {
        // A fault for the next reads at random: rate limit, server error, slow answer, lost answer.
        const fault = pick(random, ['429', '500', 'slow', 'lost', 'none'] as const);
        const times = int(random, 1, 4);
        if (fault === '429' || fault === '500') {
          t.hubspot.inject({ path: DEALS_BATCH_READ, status: Number(fault) as 429 | 500, times });
        } else if (fault === 'slow') {
          t.hubspot.inject({ path: DEALS_BATCH_READ, delayMs: 300, times });
        } else if (fault === 'lost') {
          t.hubspot.inject({ path: DEALS_BATCH_READ, afterResponse: true, status: 500, times });
        }
        const response = await t.sendWebhook(batch.map((move) => move.event));
        expect(response.status).toBe(200);
        moves.push(...batch);
        // Redeliveries, as HubSpot makes after a timeout: stored once.
        if (random() < 0.3) await t.sendWebhook(batch.map((move) => move.event));
        await t.drainInbox();
      }
    }
    t.hubspot.clearFaults();
    for (let round = 0; round < MAX_DRAIN_ROUNDS; round += 1) {
      const counts = await t.running.services.store.inbox.countInboxByStatus();
      if (counts.pending === 0 && counts.processing === 0) break;
      t.clock.advanceMs(3 * HOUR_MS);
      await t.drainInbox();
    }

    await expectEveryMoveAppliedOnce(t.running.services.store, dealIds, moves);
    const metrics = (await fetch(`${t.url}/metrics`).then((r) => r.text())) as string;
    expect(metricValue(metrics, 'sop_inbox_events_total', { outcome: 'applied' })).toBe(moves.length);
  });
});

describe('two instances draining one PostgreSQL inbox', () => {
  let t: TestService;
  let second: RunningService;

  beforeAll(async () => {
    t = await startTestService({ database: 'postgres' });
    second = await startAnotherInstance(t);
  });
  afterAll(async () => {
    await second.stop();
    await t.stop();
  });

  it('applies each event exactly once between them', async () => {
    const dealIds = addWalkDeals(t.hubspot.state, SAMPLE_PORTAL_ID, DEALS, new Date('2026-11-01T00:00:00Z'));
    const start = new Date(t.clock.now().getTime() - 2 * HOUR_MS);
    const moves: StageMove[] = [];
    for (let round = 0; round < 3; round += 1) {
      const roundMoves = walkRound(t.hubspot.state, SAMPLE_PORTAL_ID, dealIds, round, start);
      // Batches go to either instance, as a load balancer would send them.
      for (const [index, batch] of inBatches(roundMoves, 40).entries()) {
        const body = batch.map((move) => move.event);
        const response =
          index % 2 === 0
            ? await t.sendWebhook(body)
            : await postSignedWebhook(second.url, JSON.stringify(body), {
                timestampMs: t.clock.now().getTime(),
              });
        expect(response.status).toBe(200);
        moves.push(...batch);
      }
    }

    const [first, other] = await Promise.all([t.drainInbox(), second.workers.drainInbox()]);
    const [firstAgain, otherAgain] = await Promise.all([t.drainInbox(), second.workers.drainInbox()]);

    expect(first + other + firstAgain + otherAgain).toBe(moves.length);
    await expectEveryMoveAppliedOnce(t.running.services.store, dealIds, moves);
    const applied = (text: string) => metricValue(text, 'sop_inbox_events_total', { outcome: 'applied' });
    const firstMetrics = await fetch(`${t.url}/metrics`).then((r) => r.text());
    const secondMetrics = await fetch(`${second.url}/metrics`).then((r) => r.text());
    expect(applied(firstMetrics) + applied(secondMetrics)).toBe(moves.length);
  });
});
