import { MAX_INBOX_ATTEMPTS, POISON_MAX_ATTEMPTS } from '../../src/modules/intake/inbox-processor';
import { runCli } from '../../src/app/cli/run-cli';
import {
  SAMPLE_PORTAL_ID,
  stageChangeEvent,
  startTestService,
  type TestService,
} from '../support/service-harness';
import { deliverToInbox } from '../support/store/inbox-helpers';
import { DATABASES } from '../support/test-databases';
import {
  DEALS_BATCH_READ,
  countRequests,
  metricValue,
  minutesBefore,
  stageChangeKeys,
  stageChangesOf,
} from './support/integration-helpers';

/**
 * HubSpot answering 429 or 500 while the inbox is processed: the events wait and come back, and each
 * is applied once in the end; an event that can never be applied is parked where /metrics shows it,
 * and does not hold the others back.
 */
const HOUR_MS = 60 * 60 * 1000;

describe.each(DATABASES)('processing while HubSpot fails (%s)', (database) => {
  let t: TestService;

  beforeEach(async () => {
    t = await startTestService({ database });
  });
  afterEach(async () => {
    await t.stop();
  });

  async function moveTwoDeals() {
    const at = minutesBefore(t.clock.now(), 5);
    const moves: Array<[string, string, string]> = [
      [t.sample.deals.readyQualified, 'qualifiedtobuy', 'presentationscheduled'],
      [t.sample.deals.presentation, 'presentationscheduled', 'decisionmakerboughtin'],
    ];
    for (const [dealId, , stageId] of moves)
      t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, stageId, at);
    const response = await t.sendWebhook(
      moves.map(([dealId, , stageId]) => stageChangeEvent(dealId, stageId, at)),
    );
    expect(response.body).toMatchObject({ stored: 2 });
    return moves;
  }

  async function expectAppliedOnce(moves: Array<[string, string, string]>) {
    for (const [dealId, fromStage, stageId] of moves) {
      const deal = await t.running.services.store.deals.getDeal(SAMPLE_PORTAL_ID, dealId);
      expect(deal?.stageId).toBe(stageId);
      expect(stageChangeKeys(await stageChangesOf(t, dealId))).toEqual([`${fromStage}>${stageId}`]);
    }
    expect(await t.running.services.store.inbox.countInboxByStatus()).toMatchObject({
      pending: 0,
      processing: 0,
      parked: 0,
      done: moves.length,
    });
  }

  it.each([429, 500] as const)(
    'a single HubSpot %i is absorbed by the HubSpot transport: the batch is applied on the first pass',
    async (status) => {
      const moves = await moveTwoDeals();
      t.hubspot.inject({ path: DEALS_BATCH_READ, status });

      expect(await t.drainInbox()).toBe(2);

      await expectAppliedOnce(moves);
      expect(countRequests(t.hubspot, DEALS_BATCH_READ)).toBe(2);
    },
  );

  it.each([429, 500] as const)(
    'HubSpot answering %i for longer than the HubSpot transport retries: the events wait, then are applied once',
    async (status) => {
      const moves = await moveTwoDeals();
      t.hubspot.inject({ path: DEALS_BATCH_READ, status, times: 20 });

      expect(await t.drainInbox()).toBe(0);
      // The transport's 4 attempts for the claim; a 500 may be one deal's, so its two halves are tried
      // once each (and fail too: nothing is split further), a 429 fails any call and is not split at all.
      expect(countRequests(t.hubspot, DEALS_BATCH_READ)).toBe(status === 500 ? 12 : 4);
      const waiting = await t.running.services.store.inbox.countInboxByStatus();
      expect(waiting).toMatchObject({ pending: 2, done: 0, parked: 0 });
      // Not due yet: nothing is retried before its backoff ends.
      expect(await t.drainInbox()).toBe(0);

      t.hubspot.clearFaults();
      t.clock.advanceMs(HOUR_MS);
      expect(await t.drainInbox()).toBe(2);

      await expectAppliedOnce(moves);
      const metrics = (await fetch(`${t.url}/metrics`).then((r) => r.text())) as string;
      expect(metricValue(metrics, 'sop_inbox_events_total', { outcome: 'retried' })).toBe(2);
      expect(metricValue(metrics, 'sop_inbox_events_total', { outcome: 'applied' })).toBe(2);
      expect(metricValue(metrics, 'hubspot_requests_total', { status: String(status) })).toBeGreaterThan(0);
    },
  );

  it('a HubSpot outage spanning several retries loses nothing and parks nothing while attempts remain', async () => {
    const moves = await moveTwoDeals();
    t.hubspot.inject({ path: DEALS_BATCH_READ, status: 500, times: 1000 });

    for (let round = 0; round < Math.min(5, MAX_INBOX_ATTEMPTS - 1); round += 1) {
      expect(await t.drainInbox()).toBe(0);
      t.clock.advanceMs(3 * HOUR_MS);
    }
    t.hubspot.clearFaults();
    expect(await t.drainInbox()).toBe(2);

    await expectAppliedOnce(moves);
  });

  it('a poison event is parked and shown in /metrics while the rest of its batch is applied', async () => {
    const moves = await moveTwoDeals();
    // A row the worker cannot read (written by an older version, or damaged): retrying cannot fix it.
    const poison = {
      portalId: SAMPLE_PORTAL_ID,
      dedupeKey: `12345:poison-1:${t.sample.deals.closedWon}`,
      objectId: t.sample.deals.closedWon,
      occurredAt: minutesBefore(t.clock.now(), 4).getTime(),
      subscriptionType: 'stage-change',
      payload: { kind: 'stage-change', portalId: SAMPLE_PORTAL_ID, objectId: 42 },
    };
    await deliverToInbox(t.running.services.store, [poison], {
      receivedAt: t.clock.now(),
      explode: () => ({ ok: true, events: [poison] }),
    });

    expect(await t.drainInbox()).toBe(2);

    expect(await t.running.services.store.inbox.countInboxByStatus()).toMatchObject({
      pending: 0,
      processing: 0,
      done: 2,
      parked: 1,
    });
    for (const [dealId, , stageId] of moves) {
      expect((await t.running.services.store.deals.getDeal(SAMPLE_PORTAL_ID, dealId))?.stageId).toBe(stageId);
    }
    const metrics = (await fetch(`${t.url}/metrics`).then((r) => r.text())) as string;
    expect(metricValue(metrics, 'sop_inbox_events', { status: 'parked' })).toBe(1);
    expect(metricValue(metrics, 'sop_inbox_events_total', { outcome: 'parked' })).toBe(1);
    expect(metricValue(metrics, 'sop_inbox_events_total', { outcome: 'applied' })).toBe(2);
    // Parked stays parked: later drains do not pick it up again.
    t.clock.advanceMs(24 * HOUR_MS);
    expect(await t.drainInbox()).toBe(0);
    expect((await t.running.services.store.inbox.countInboxByStatus()).parked).toBe(1);
  });

  it('a deal HubSpot cannot serve is isolated: the deals claimed with it are applied in the same pass, and it parks after a few attempts', async () => {
    const poisonDeal = t.sample.deals.freshAppointment;
    // HubSpot failing every read that includes one record (its backend cannot serve it), as it does
    // for damaged records: the same read without that deal works.
    t.hubspot.inject({
      path: DEALS_BATCH_READ,
      status: 500,
      times: 1000,
      bodyContains: `"id":"${poisonDeal}"`,
    });
    const at = minutesBefore(t.clock.now(), 6);
    t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, poisonDeal, 'qualifiedtobuy', at);
    expect((await t.sendWebhook([stageChangeEvent(poisonDeal, 'qualifiedtobuy', at)])).body).toMatchObject({
      stored: 1,
    });
    const moves = await moveTwoDeals();

    // Before: the whole claim failed with the poison and waited, attempt after attempt.
    expect(await t.drainInbox()).toBe(2);
    for (const [dealId, fromStage, stageId] of moves) {
      expect(stageChangeKeys(await stageChangesOf(t, dealId))).toEqual([`${fromStage}>${stageId}`]);
    }
    expect(await t.running.services.store.inbox.countInboxByStatus()).toMatchObject({
      pending: 1,
      done: 2,
      parked: 0,
    });

    // Each later pass claims the poison with a new, valid neighbour: the neighbour is applied, and the
    // poison parks at its third attempt.
    const neighbours: Array<[string, string]> = [
      [t.sample.deals.stalledQualified, 'presentationscheduled'],
      [t.sample.deals.contractSent, 'closedwon'],
    ];
    for (const [index, [dealId, stageId]] of neighbours.entries()) {
      t.clock.advanceMs(HOUR_MS);
      const movedAt = minutesBefore(t.clock.now(), 1);
      t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, stageId, movedAt);
      await t.sendWebhook([stageChangeEvent(dealId, stageId, movedAt)]);
      expect(await t.drainInbox()).toBe(1);
      expect((await t.running.services.store.deals.getDeal(SAMPLE_PORTAL_ID, dealId))?.stageId).toBe(stageId);
      expect((await t.running.services.store.inbox.countInboxByStatus()).parked).toBe(
        index + 2 === POISON_MAX_ATTEMPTS ? 1 : 0,
      );
    }

    expect(await t.running.services.store.inbox.countInboxByStatus()).toMatchObject({
      pending: 0,
      processing: 0,
      done: 4,
      parked: 1,
    });
    expect(await stageChangesOf(t, poisonDeal)).toEqual([]);
    // An operator lists it, with why.
    const out: string[] = [];
    const code = await runCli(['parked-events'], {
      out: (text) => out.push(text),
      err: () => undefined,
      env: { DATABASE_URL: t.databaseUrl, LOG_LEVEL: 'silent' },
    });
    expect(code).toBe(0);
    expect(out.map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({
        portalId: SAMPLE_PORTAL_ID,
        dealId: poisonDeal,
        attempts: POISON_MAX_ATTEMPTS,
        reason: expect.stringMatching(/^failed alone while the events claimed with it were applied: .*500/),
        event: expect.objectContaining({ objectId: poisonDeal, propertyValue: 'qualifiedtobuy' }),
      }),
    ]);
    const metrics = (await fetch(`${t.url}/metrics`).then((r) => r.text())) as string;
    expect(metricValue(metrics, 'sop_inbox_events', { status: 'parked' })).toBe(1);
    expect(metricValue(metrics, 'sop_inbox_events_total', { outcome: 'parked' })).toBe(1);
    expect(metricValue(metrics, 'sop_inbox_events_total', { outcome: 'applied' })).toBe(4);
  });
});
