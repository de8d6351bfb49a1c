import { DEFAULT_DEAL_PIPELINE_STAGES } from '../../sandbox/local-hubspot';
import { INBOX_LEASE_MS } from '../../src/modules/intake/inbox-processor';
import {
  SAMPLE_PORTAL_ID,
  stageChangeEvent,
  startTestService,
  type TestService,
} from '../support/service-harness';
import { DATABASES } from '../support/test-databases';
import {
  ASSOCIATIONS_BATCH_READ,
  DEALS_BATCH_READ,
  countRequests,
  minutesBefore,
  stageChangeKeys,
  stageChangesOf,
  waitFor,
} from './support/integration-helpers';

/**
 * The product's main path over HTTP, as HubSpot drives it: a deal moves in HubSpot, HubSpot posts a
 * signed webhook, the service stores and processes it, and the rep's card shows the SOP step of the
 * new stage (DESIGN.md §1's table).
 */
const STAGE_TO_STEP: ReadonlyArray<[string, string | null]> = [
  ['appointmentscheduled', 'prospecting'],
  ['qualifiedtobuy', 'qualification'],
  ['presentationscheduled', 'presentation'],
  ['decisionmakerboughtin', 'negotiation'],
  ['contractsent', 'negotiation'],
  ['closedwon', 'follow-up'],
  ['closedlost', null],
];

describe.each(DATABASES)('every stage of the default pipeline shows its SOP step (%s)', (database) => {
  let t: TestService;
  let moves = 0;

  // One service for the whole table: each case moves the same deal on, later than the one before.
  beforeAll(async () => {
    t = await startTestService({ database });
  });
  afterAll(async () => {
    await t.stop();
  });

  // The sample deal starts in appointmentscheduled: it goes there last, reopened after closedlost.
  const table = [...STAGE_TO_STEP.slice(1), STAGE_TO_STEP[0]!];
  it.each(table)('a move to %s shows the SOP step %s', async (stageId, stepId) => {
    const dealId = t.sample.deals.freshAppointment;
    moves += 1;
    const movedAt = minutesBefore(t.clock.now(), 60 - moves);
    t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, stageId, movedAt);
    expect((await t.sendWebhook([stageChangeEvent(dealId, stageId, movedAt)])).status).toBe(200);

    expect(await t.drainInbox()).toBe(1);
    const response = await t.cardRequest('GET', `/api/v1/deals/${dealId}/guidance`);

    expect(response.status).toBe(200);
    const guidance = response.body;
    expect(guidance.stage.id).toBe(stageId);
    expect(guidance.stage.enteredAt).toBe(movedAt.toISOString());
    expect(guidance.pipelineId).toBe('default');
    if (stepId === null) {
      expect(guidance.step).toBeNull();
      expect(typeof guidance.reason).toBe('string');
      expect(guidance.reason.length).toBeGreaterThan(0);
    } else {
      expect(guidance.step.id).toBe(stepId);
      expect(guidance.step.title.length).toBeGreaterThan(0);
    }
  });
});

describe.each(DATABASES)('stage changes reach the card (%s)', (database) => {
  let t: TestService;

  beforeEach(async () => {
    t = await startTestService({ database });
  });
  afterEach(async () => {
    await t.stop();
  });

  /** Moves the deal at the local HubSpot and posts the webhook HubSpot sends for that move. */
  async function moveAndNotify(dealId: string, stageId: string, at: Date) {
    t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, stageId, at);
    const event = stageChangeEvent(dealId, stageId, at);
    const response = await t.sendWebhook([event]);
    expect(response.status).toBe(200);
    return event;
  }

  async function guidanceOf(dealId: string) {
    const response = await t.cardRequest('GET', `/api/v1/deals/${dealId}/guidance`);
    expect(response.status).toBe(200);
    return response.body;
  }

  it('covers every stage of the default pipeline in the mapping table', () => {
    expect(STAGE_TO_STEP.map(([stageId]) => stageId).sort()).toEqual(
      DEFAULT_DEAL_PIPELINE_STAGES.map((stage) => stage.id).sort(),
    );
  });

  it('a deal walked through the pipeline shows each step in turn and keeps the audit trail in order', async () => {
    const dealId = t.sample.deals.freshAppointment;
    const walk = ['qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'closedwon'];
    // A rep opened the deal first, so the service knows the stage it starts from.
    const opened = await guidanceOf(dealId);
    expect(opened.step.id).toBe('prospecting');
    expect(opened.checks.find((check: { id: string }) => check.id === 'owner-assigned')?.passed).toBe(true);
    const seen: Array<string | null> = [];
    for (const [index, stageId] of walk.entries()) {
      await moveAndNotify(dealId, stageId, minutesBefore(t.clock.now(), 50 - index * 10));
      await t.drainInbox();
      seen.push((await guidanceOf(dealId)).step?.id ?? null);
    }

    expect(seen).toEqual(['qualification', 'presentation', 'negotiation', 'follow-up']);
    expect(stageChangeKeys(await stageChangesOf(t, dealId))).toEqual([
      'appointmentscheduled>qualifiedtobuy',
      'qualifiedtobuy>presentationscheduled',
      'presentationscheduled>decisionmakerboughtin',
      'decisionmakerboughtin>closedwon',
    ]);
  });

  it('a batch delivered twice is stored once and applied once', async () => {
    const dealId = t.sample.deals.readyQualified;
    const otherDealId = t.sample.deals.presentation;
    const movedAt = minutesBefore(t.clock.now(), 3);
    t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, 'presentationscheduled', movedAt);
    t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, otherDealId, 'contractsent', movedAt);
    const batch = [
      stageChangeEvent(dealId, 'presentationscheduled', movedAt),
      stageChangeEvent(otherDealId, 'contractsent', movedAt),
    ];

    const first = await t.sendWebhook(batch);
    const again = await t.sendWebhook(batch);
    const retried = await t.sendWebhook(batch.map((event) => ({ ...event, attemptNumber: 1 })));

    // Each delivery is journaled whole before its 2xx; the copies are recognised on the way into the inbox.
    for (const response of [first, again, retried])
      expect(response.body).toMatchObject({ received: 2, stored: 2 });
    expect(await t.drainInbox()).toBe(2);
    expect(await t.drainInbox()).toBe(0);
    // Neither deal was seen before: HubSpot's dealstage history names the stage each one left.
    expect(stageChangeKeys(await stageChangesOf(t, dealId))).toEqual([
      'qualifiedtobuy>presentationscheduled',
    ]);
    expect(stageChangeKeys(await stageChangesOf(t, otherDealId))).toEqual([
      'presentationscheduled>contractsent',
    ]);
    expect(countRequests(t.hubspot, DEALS_BATCH_READ)).toBe(1);
    const counts = await t.running.services.store.inbox.countInboxByStatus();
    expect(counts).toMatchObject({ done: 2, pending: 0, processing: 0, parked: 0 });
    const metrics = await fetch(`${t.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/sop_webhook_journal_events_total\{outcome="new"\} 2\b/);
    expect(metrics).toMatch(/sop_webhook_journal_events_total\{outcome="duplicate"\} 4\b/);
  });

  it('a duplicate arriving after processing is not applied again', async () => {
    const dealId = t.sample.deals.readyQualified;
    const movedAt = minutesBefore(t.clock.now(), 3);
    const event = await moveAndNotify(dealId, 'presentationscheduled', movedAt);
    await t.drainInbox();

    const redelivered = await t.sendWebhook([{ ...event, attemptNumber: 3 }]);

    expect(redelivered.body).toMatchObject({ stored: 1 });
    expect(await t.drainInbox()).toBe(0);
    expect(await stageChangesOf(t, dealId)).toHaveLength(1);
  });

  it('a late, older stage event does not move the deal back (separate batches)', async () => {
    const dealId = t.sample.deals.readyQualified;
    const early = minutesBefore(t.clock.now(), 20);
    const late = minutesBefore(t.clock.now(), 10);
    t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, 'presentationscheduled', early);
    t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, 'contractsent', late);

    await t.sendWebhook([stageChangeEvent(dealId, 'contractsent', late)]);
    await t.drainInbox();
    await t.sendWebhook([stageChangeEvent(dealId, 'presentationscheduled', early)]);
    await t.drainInbox();

    const guidance = await guidanceOf(dealId);
    expect(guidance.stage.id).toBe('contractsent');
    expect(guidance.step.id).toBe('negotiation');
    const deal = await t.running.services.store.deals.getDeal(SAMPLE_PORTAL_ID, dealId);
    expect(deal?.stageId).toBe('contractsent');
    expect(deal?.stageEnteredAt.toISOString()).toBe(late.toISOString());
  });

  it('a worker whose HubSpot read is older, written last, does not move the deal back', async () => {
    const dealId = t.sample.deals.freshAppointment;
    const inbox = t.running.services.inbox;
    const qualifiedAt = minutesBefore(t.clock.now(), 20);
    await moveAndNotify(dealId, 'qualifiedtobuy', qualifiedAt);
    // The slow worker reads the deal, then stalls on the association read that follows it, so that
    // its write lands after a later read's.
    t.hubspot.inject({ path: ASSOCIATIONS_BATCH_READ, delayMs: 1500 });
    const slow = inbox.processBatch({ workerId: 'slow', now: t.clock.now() });
    await waitFor(() => countRequests(t.hubspot, ASSOCIATIONS_BATCH_READ) === 1);

    // Within the slow worker's lease, so the fast one takes only the new event.
    t.clock.advanceMs(INBOX_LEASE_MS / 2);
    const presentedAt = minutesBefore(t.clock.now(), 5);
    await moveAndNotify(dealId, 'presentationscheduled', presentedAt);
    const fast = await inbox.processBatch({ workerId: 'fast', now: t.clock.now() });
    // The slow worker is still waiting for HubSpot's answer: its write comes after the fast one's.
    const slowRead = t.hubspot.requests.find((request) => ASSOCIATIONS_BATCH_READ.test(request.path));
    expect(slowRead?.status).toBeNull();
    const slowResult = await slow;

    expect([slowResult.applied, fast.applied]).toEqual([1, 1]);
    const deal = await t.running.services.store.deals.getDeal(SAMPLE_PORTAL_ID, dealId);
    expect(deal).toMatchObject({ stageId: 'presentationscheduled', lastEventAt: t.clock.now() });
    expect(deal?.stageEnteredAt.toISOString()).toBe(presentedAt.toISOString());
    expect((await guidanceOf(dealId)).step.id).toBe('presentation');
  });

  it('events of one batch in reverse order leave the deal at the latest stage', async () => {
    const dealId = t.sample.deals.freshAppointment;
    const times = [30, 20, 10].map((minutes) => minutesBefore(t.clock.now(), minutes));
    const stages = ['qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin'];
    expect((await guidanceOf(dealId)).stage.id).toBe('appointmentscheduled');
    stages.forEach((stageId, index) =>
      t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, stageId, times[index]!),
    );
    const events = stages.map((stageId, index) => stageChangeEvent(dealId, stageId, times[index]!));
    const unseenDeal = t.sample.deals.presentation;
    t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, unseenDeal, 'contractsent', times[0]!);
    events.push(stageChangeEvent(unseenDeal, 'contractsent', times[0]!));

    await t.sendWebhook([...events].reverse());
    await t.drainInbox();

    expect((await guidanceOf(dealId)).stage.id).toBe('decisionmakerboughtin');
    expect(stageChangeKeys(await stageChangesOf(t, dealId))).toEqual([
      'appointmentscheduled>qualifiedtobuy',
      'qualifiedtobuy>presentationscheduled',
      'presentationscheduled>decisionmakerboughtin',
    ]);
    // A deal the service never saw: HubSpot's dealstage history names the stage it left.
    expect(stageChangeKeys(await stageChangesOf(t, unseenDeal))).toEqual([
      'presentationscheduled>contractsent',
    ]);
  });

  it('a deal the service never saw is read from HubSpot on demand, then served from the store', async () => {
    const dealId = t.sample.deals.stalledQualified;

    const first = await guidanceOf(dealId);
    const readsAfterFirst = countRequests(t.hubspot, DEALS_BATCH_READ);
    const requestsAfterFirst = t.hubspot.requests.length;
    const second = await guidanceOf(dealId);

    expect(first.stage.id).toBe('qualifiedtobuy');
    expect(first.step.id).toBe('qualification');
    expect(first.stall.stalled).toBe(true);
    expect(readsAfterFirst).toBe(1);
    expect(second).toEqual(first);
    expect(t.hubspot.requests.length).toBe(requestsAfterFirst);
  });

  it('a deal HubSpot does not have answers 404', async () => {
    const response = await t.cardRequest('GET', '/api/v1/deals/987654321/guidance');

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
  });
});

describe.each(DATABASES)('card requests across portals (%s)', (database) => {
  let t: TestService;

  beforeEach(async () => {
    t = await startTestService({ database, secondPortal: true });
  });
  afterEach(async () => {
    await t.stop();
  });

  it("a card request for another portal's deal answers 404", async () => {
    const foreignDealId = t.secondSample!.deals.readyQualified;
    // The other portal's deal is known to the service: it was projected through its own portal.
    const own = await t.cardRequest('GET', `/api/v1/deals/${foreignDealId}/guidance`, {
      portalId: t.secondSample!.portalId,
    });
    expect(own.status).toBe(200);

    const response = await t.cardRequest('GET', `/api/v1/deals/${foreignDealId}/guidance`, {
      portalId: SAMPLE_PORTAL_ID,
    });

    expect(response.status).toBe(404);
    expect(JSON.stringify(response.body)).not.toContain('Initech');
  });

  it('a card request for a portal without an installation answers 404 without calling HubSpot', async () => {
    const before = t.hubspot.requests.length;

    const response = await t.cardRequest('GET', `/api/v1/deals/${t.sample.deals.readyQualified}/guidance`, {
      portalId: 4242,
    });

    expect(response.status).toBe(404);
    expect(t.hubspot.requests.length).toBe(before);
  });
});
