import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { RunningService } from '../../src/app/compose';
import { INBOX_LEASE_MS } from '../../src/modules/intake/inbox-processor';
import { createStore } from '../../src/app/store';
import type { LocalHubSpot } from '../../sandbox/local-hubspot';
import { SAMPLE_PORTAL_ID, startTestService, type TestService } from '../support/service-harness';
import { DATABASES } from '../support/test-databases';
import {
  DEALS_BATCH_READ,
  metricValue,
  postSignedWebhook,
  startAnotherInstance,
} from './support/integration-helpers';
import {
  startCrashRig,
  startServiceProcess,
  stopCrashRig,
  waitUntil,
  type ServiceProcess,
} from './support/service-process';
import { WALK_STAGES, addWalkDeals, inBatches, walkRound, type StageMove } from './support/stage-walk';
import { explodeJournalBody } from '../../src/modules/intake/webhook-journal';
import { stageHistoryOf } from '../support/store/store-reads';

/**
 * A service that dies in the middle of processing loses nothing: the rows it had claimed come back
 * when its lease runs out, and every event is applied exactly once by whoever takes over.
 */
describe.each(DATABASES)('a restart in the middle of processing (%s)', (database) => {
  let t: TestService;
  let next: RunningService | null = null;

  beforeEach(async () => {
    t = await startTestService({ database });
    // The first instance is stopped by the test; stopping it again at teardown must be harmless.
    const stopFirst = t.running.stop.bind(t.running);
    let stopping: Promise<boolean> | null = null;
    t.running.stop = () => (stopping ??= stopFirst());
  });
  afterEach(async () => {
    await next?.stop();
    next = null;
    await t.stop();
  });

  it('events claimed by a stopped instance are applied once by the next one, after the lease', async () => {
    const dealIds = addWalkDeals(t.hubspot.state, SAMPLE_PORTAL_ID, 30, new Date('2026-11-01T00:00:00Z'));
    const start = new Date(t.clock.now().getTime() - 60 * 60_000);
    const moves: StageMove[] = [];
    for (let round = 0; round < 3; round += 1) {
      const roundMoves = walkRound(t.hubspot.state, SAMPLE_PORTAL_ID, dealIds, round, start);
      moves.push(...roundMoves);
      expect((await t.sendWebhook(roundMoves.map((move) => move.event))).body.stored).toBe(30);
    }
    // The dying instance got as far as moving the journal into the inbox and claiming 60 events.
    await t.running.services.store.journal.moveToInbox({
      limit: 10,
      explode: explodeJournalBody,
    });
    const claimed = await t.running.services.store.inbox.claimInboxEvents({
      workerId: 'instance-that-dies',
      limit: 60,
      now: t.clock.now(),
      leaseMs: INBOX_LEASE_MS,
    });
    expect(claimed).toHaveLength(60);
    await t.running.stop();

    next = await startAnotherInstance(t);
    // The unclaimed rest is processed at once; the claimed rows wait for their lease.
    expect(await next.workers.drainInbox()).toBe(30);
    t.clock.advanceMs(INBOX_LEASE_MS + 1_000);
    expect(await next.workers.drainInbox()).toBe(60);
    expect(await next.workers.drainInbox()).toBe(0);

    const store = next.services.store;
    expect(await store.inbox.countInboxByStatus()).toMatchObject({
      done: 90,
      pending: 0,
      processing: 0,
      parked: 0,
    });
    for (const dealId of dealIds) {
      expect((await store.deals.getDeal(SAMPLE_PORTAL_ID, dealId))?.stageId).toBe(WALK_STAGES[2]);
      const changes = await stageHistoryOf(store, SAMPLE_PORTAL_ID, dealId);
      expect(changes.map((change) => change.toStage)).toEqual(WALK_STAGES.slice(0, 3));
    }
  });
});

describe('a real crash: kill -9 of `npx tsx src/entrypoints/server.ts` while it processes', () => {
  // More events than one claim takes (INBOX_BATCH_SIZE), so the kill lands between two claims' reads.
  const DEALS = 150;
  const ROUNDS = WALK_STAGES.length;
  let hubspot: LocalHubSpot;
  let folder: string;
  let service: ServiceProcess | null = null;

  beforeAll(async () => {
    ({ hubspot, folder } = await startCrashRig('sop-crash-'));
  });
  afterAll(async () => stopCrashRig({ hubspot, folder }, service));

  it('every acknowledged event is applied exactly once after a restart', async () => {
    const file = path.join(folder, 'crash.db');
    const databaseUrl = `sqlite:${file}`;
    const dealIds = addWalkDeals(hubspot.state, SAMPLE_PORTAL_ID, DEALS, new Date(Date.now() - 86_400_000));
    service = await startServiceProcess({ databaseUrl, hubspotUrl: hubspot.url });
    // Slow HubSpot reads keep the worker busy, so the kill lands in the middle of a batch.
    hubspot.inject({ path: DEALS_BATCH_READ, delayMs: 300, times: 10_000 });

    const start = new Date(Date.now() - 10 * 60_000);
    const acknowledged: StageMove[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const moves = walkRound(hubspot.state, SAMPLE_PORTAL_ID, dealIds, round, start);
      for (const batch of inBatches(moves, 20)) {
        const response = await postSignedWebhook(service.url, JSON.stringify(batch.map((m) => m.event)), {
          timestampMs: Date.now(),
        });
        expect(response.status).toBe(200);
        acknowledged.push(...batch);
      }
    }
    await waitUntil(
      () =>
        hubspot.requests.some((r) => r.path === DEALS_BATCH_READ && r.status === 200) &&
        hubspot.requests.some((r) => r.path === DEALS_BATCH_READ && r.status === null),
      { timeoutMs: 60_000, what: 'a batch read done and another in flight' },
    );

    await service.crash();
    hubspot.clearFaults();
    const afterCrash = new SqliteDatabase(file);
    const inFlight = afterCrash
      .prepare("select count(*) as count from webhook_inbox where status = 'processing'")
      .get() as { count: number };
    // The restart would wait out the claim's lease (INBOX_LEASE_MS); end it now instead of sleeping.
    afterCrash
      .prepare("update webhook_inbox set lease_until = ? where status = 'processing'")
      .run(Date.now());
    afterCrash.close();
    expect(inFlight.count).toBeGreaterThan(0);

    service = await startServiceProcess({ databaseUrl, hubspotUrl: hubspot.url });
    const running = service;
    await waitUntil(
      async () => {
        const metrics = await fetch(`${running.url}/metrics`).then((r) => r.text());
        return metricValue(metrics, 'sop_inbox_events', { status: 'done' }) === acknowledged.length;
      },
      { timeoutMs: 90_000, intervalMs: 200, what: 'the restarted service to drain the inbox' },
    );
    await service.stop();
    service = null;

    const store = await createStore(databaseUrl);
    try {
      expect(await store.inbox.countInboxByStatus()).toMatchObject({
        done: acknowledged.length,
        pending: 0,
        processing: 0,
        parked: 0,
      });
      for (const dealId of dealIds) {
        const deal = await store.deals.getDeal(SAMPLE_PORTAL_ID, dealId);
        expect(deal?.stageId).toBe('closedwon');
        const changes = await stageHistoryOf(store, SAMPLE_PORTAL_ID, dealId);
        expect(changes.map((change) => change.toStage)).toEqual([...WALK_STAGES]);
        expect(new Set(changes.map((change) => change.dedupeKey)).size).toBe(ROUNDS);
      }
    } finally {
      await store.close();
    }
  }, 240_000);
});
