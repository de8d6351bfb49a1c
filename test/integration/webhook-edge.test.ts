import {
  SAMPLE_PORTAL_ID,
  TEST_CLIENT_SECRET,
  stageChangeEvent,
  startTestService,
  type TestService,
} from '../support/service-harness';
import { DATABASES } from '../support/test-databases';
import { runCli } from '../../src/app/cli/run-cli';
import { minutesBefore, postSignedWebhook } from './support/integration-helpers';

/**
 * The webhook edge over HTTP, against the whole service: what HubSpot (or anyone else) gets back for
 * every kind of request, and that nothing refused is ever stored or sent on to HubSpot.
 */
describe.each(DATABASES)('the webhook edge of the running service (%s)', (database) => {
  let t: TestService;

  beforeAll(async () => {
    t = await startTestService({ database });
  });
  afterAll(async () => {
    await t.stop();
  });
  beforeEach(() => {
    t.hubspot.requests.length = 0;
  });

  async function storedEvents(): Promise<number> {
    const counts = await t.running.services.store.inbox.countInboxByStatus();
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  }

  const aBatch = () => [
    stageChangeEvent(t.sample.deals.readyQualified, 'presentationscheduled', minutesBefore(t.clock.now(), 1)),
  ];

  it('refuses a batch signed with another secret: 401, nothing stored', async () => {
    const before = await storedEvents();

    const response = await postSignedWebhook(t.url, JSON.stringify(aBatch()), {
      timestampMs: t.clock.now().getTime(),
      secret: `${TEST_CLIENT_SECRET}-wrong`,
    });

    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('UNAUTHENTICATED');
    expect(await storedEvents()).toBe(before);
  });

  it('refuses a body that differs from the signed one: 401, nothing stored', async () => {
    const before = await storedEvents();
    const body = JSON.stringify(aBatch());

    const response = await postSignedWebhook(t.url, body.replace('presentationscheduled', 'closedwon'), {
      timestampMs: t.clock.now().getTime(),
      signedBody: body,
    });

    expect(response.status).toBe(401);
    expect(await storedEvents()).toBe(before);
  });

  it('refuses a correctly signed batch whose timestamp is over five minutes old: 401, nothing stored', async () => {
    const before = await storedEvents();

    const response = await postSignedWebhook(t.url, JSON.stringify(aBatch()), {
      timestampMs: t.clock.now().getTime() - 5 * 60_000 - 1_000,
    });

    expect(response.status).toBe(401);
    expect(await storedEvents()).toBe(before);
  });

  it('refuses an unsigned request: 401', async () => {
    const response = await fetch(`${t.url}/webhooks/hubspot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(aBatch()),
    });

    expect(response.status).toBe(401);
  });

  it('answers 400 to a signed body that is not JSON', async () => {
    const response = await t.sendWebhook('[{"eventId": 1,');

    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/JSON/i);
  });

  it('stores and applies the valid events of a batch with malformed ones, and keeps each malformed one with its reason', async () => {
    const [valid] = aBatch();
    t.hubspot.state.moveDealToStage(
      SAMPLE_PORTAL_ID,
      t.sample.deals.readyQualified,
      'presentationscheduled',
      minutesBefore(t.clock.now(), 1),
    );
    const broken = { ...stageChangeEvent('123', 'qualifiedtobuy', t.clock.now()), portalId: 'not-a-number' };
    const { occurredAt: _dropped, ...withoutTime } = stageChangeEvent('124', 'qualifiedtobuy', t.clock.now());

    const response = await t.sendWebhook([valid, broken, withoutTime]);
    await t.drainInbox();

    // 200: HubSpot does not retry a 4xx, so answering one lost the valid event for good.
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ received: 3, stored: 1, ignored: 0, refused: 2 });
    const deal = await t.running.services.store.deals.getDeal(
      SAMPLE_PORTAL_ID,
      t.sample.deals.readyQualified,
    );
    expect(deal?.stageId).toBe('presentationscheduled');
    const kept = await t.running.services.store.refusedEvents.listRefusedEvents({ limit: 10 });
    expect(kept).toEqual([
      expect.objectContaining({
        portalId: null,
        reason: expect.stringContaining('[1].portalId'),
        raw: JSON.stringify(broken),
      }),
      expect.objectContaining({
        portalId: SAMPLE_PORTAL_ID,
        reason: expect.stringContaining('[2].occurredAt'),
      }),
    ]);
    const metrics = await fetch(`${t.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/sop_webhook_events_refused_total(\{\})? 2/);

    // HubSpot redelivering the same batch (say after a timeout) lists nothing twice.
    await t.sendWebhook([valid, broken, withoutTime]);
    expect(await t.running.services.store.refusedEvents.listRefusedEvents({ limit: 10 })).toHaveLength(2);

    // An operator lists them.
    const out: string[] = [];
    const code = await runCli(['refused-events'], {
      out: (text) => out.push(text),
      err: () => undefined,
      env: { DATABASE_URL: t.databaseUrl, LOG_LEVEL: 'silent' },
    });
    expect(code).toBe(0);
    expect(out.map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({ portalId: null, event: broken }),
      expect.objectContaining({ portalId: SAMPLE_PORTAL_ID, event: withoutTime }),
    ]);
  });

  it('refuses an event whose text holds a NUL character and stores the events sent with it', async () => {
    const [valid] = [
      stageChangeEvent(t.sample.deals.contractSent, 'contractsent', minutesBefore(t.clock.now(), 3)),
    ];
    const withNul = {
      ...stageChangeEvent(t.sample.deals.contractSent, 'contractsent', t.clock.now()),
      propertyName: 'description',
      propertyValue: 'x\u0000',
    };

    const response = await t.sendWebhook([valid, withNul]);
    await t.drainInbox();

    expect(response.body).toEqual({ received: 2, stored: 1, ignored: 0, refused: 1 });
    // Nothing is left behind in the inbox to be retried for a day: the valid event was applied.
    const counts = await t.running.services.store.inbox.countInboxByStatus();
    expect(counts).toMatchObject({ pending: 0, processing: 0, parked: 0 });
    const kept = await t.running.services.store.refusedEvents.listRefusedEvents({ limit: 100 });
    expect(kept.find((event) => event.reason.includes('NUL'))).toMatchObject({
      portalId: SAMPLE_PORTAL_ID,
      reason: expect.stringContaining('[1].propertyValue: Must not contain a NUL character'),
    });
  });

  it('answers 400 to a body that is not an array of events', async () => {
    const response = await t.sendWebhook(JSON.stringify({ events: aBatch() }));

    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('(body)');
  });

  it('answers 413 to a body over 1 MB, and stores nothing', async () => {
    const before = await storedEvents();
    const [event] = aBatch();
    const huge = JSON.stringify([{ ...event, propertyValue: 'x'.repeat(1024 * 1024) }]);

    const response = await t.sendWebhook(huge);

    expect(response.status).toBe(413);
    expect(await storedEvents()).toBe(before);
  });

  it('acknowledges and ignores subscription types the app does not handle', async () => {
    const before = await storedEvents();
    const contact = { ...aBatch()[0], subscriptionType: 'contact.creation', objectId: 77 };
    const company = { ...aBatch()[0], subscriptionType: 'company.propertyChange', objectId: 78 };

    const response = await t.sendWebhook([contact, company]);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ received: 2, stored: 0, ignored: 2, refused: 0 });
    expect(await storedEvents()).toBe(before);
  });

  it('acknowledges events for a portal without an installation, drops them, and calls HubSpot with no token', async () => {
    const before = await storedEvents();
    const foreign = [
      stageChangeEvent('555', 'closedwon', t.clock.now(), 4242),
      stageChangeEvent('556', 'qualifiedtobuy', t.clock.now(), 4242),
    ];

    const response = await t.sendWebhook(foreign);
    const applied = await t.drainInbox();

    expect(response.status).toBe(200);
    // Counts that add up: an event dropped for want of an installation is an ignored one.
    expect(response.body).toEqual({ received: 2, stored: 0, ignored: 2, refused: 0 });
    expect(applied).toBe(0);
    expect(await storedEvents()).toBe(before);
    expect(t.hubspot.requests).toEqual([]);
    const metrics = await fetch(`${t.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/sop_webhook_events_dropped_total(\{\})? 2/);
  });

  it('in a mixed batch, stores only the installed portal’s events', async () => {
    const ours = stageChangeEvent(t.sample.deals.contractSent, 'closedwon', minutesBefore(t.clock.now(), 2));
    const theirs = stageChangeEvent('557', 'closedwon', t.clock.now(), 4242);
    t.hubspot.state.moveDealToStage(
      SAMPLE_PORTAL_ID,
      t.sample.deals.contractSent,
      'closedwon',
      minutesBefore(t.clock.now(), 2),
    );

    const response = await t.sendWebhook([ours, theirs]);
    await t.drainInbox();

    expect(response.body).toEqual({ received: 2, stored: 1, ignored: 1, refused: 0 });
    expect(t.hubspot.requests.every((request) => request.portalId === SAMPLE_PORTAL_ID)).toBe(true);
    const deal = await t.running.services.store.deals.getDeal(SAMPLE_PORTAL_ID, t.sample.deals.contractSent);
    expect(deal?.stageId).toBe('closedwon');
  });

  it('keeps serving after all of the above', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });
});
