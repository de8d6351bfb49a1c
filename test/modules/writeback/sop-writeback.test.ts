import { sql } from 'kysely';
import {
  SAMPLE_PORTAL_ID,
  stageChangeEvent,
  startTestService,
  type TestService,
} from '../../support/service-harness';
import { DATABASES } from '../../support/test-databases';
import {
  actionPath,
  countHubSpotCalls,
  DEAL_PROPERTY_CREATE,
  DEAL_PROPERTY_GROUP_CREATE,
  DEALS_BATCH_UPDATE,
  minutesAfter,
} from '../../support/deal-card-api.helpers';

/**
 * The SOP properties on deals in HubSpot: created on first use, written in batches, only when a value
 * changed, in the background, and again after a failure.
 */
describe.each(DATABASES)('writing SOP properties back to HubSpot (%s)', (database) => {
  let t: TestService;

  beforeEach(async () => {
    t = await startTestService({ database });
  });
  afterEach(async () => {
    await t.stop();
  });

  const services = () => t.running.services;
  const hubspotDeal = (dealId: string) => t.hubspot.state.portal(SAMPLE_PORTAL_ID).objects.deals.get(dealId)!;
  const batchInputs = () =>
    t.hubspot.requests
      .filter((request) => request.method === 'POST' && request.path === DEALS_BATCH_UPDATE)
      .map((request) => (request.body as { inputs: Array<{ id: string; properties: object }> }).inputs);

  /** Moves deals in HubSpot and tells the service, as HubSpot's webhooks would; then the flush runs. */
  async function moveDeals(moves: Array<[string, string]>) {
    const writesBefore = batchInputs().length;
    const at = minutesAfter(t.clock.now(), -30);
    for (const [dealId, stageId] of moves)
      t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, stageId, at);
    expect(
      (await t.sendWebhook(moves.map(([dealId, stageId]) => stageChangeEvent(dealId, stageId, at)))).status,
    ).toBe(200);
    await t.drainInbox();
    // Processing the inbox only marks the deals: their write waits for the (periodic) flush.
    expect(batchInputs()).toHaveLength(writesBefore);
    return services().writeback.flush(t.clock.now());
  }

  it('creates the properties once, then writes every deal an inbox batch changed in one call', async () => {
    const { deals } = t.sample;
    await moveDeals([
      [deals.freshAppointment, 'qualifiedtobuy'],
      [deals.readyQualified, 'presentationscheduled'],
      [deals.presentation, 'closedlost'],
    ]);

    expect(countHubSpotCalls(t.hubspot, 'POST', DEAL_PROPERTY_GROUP_CREATE)).toBe(1);
    expect(countHubSpotCalls(t.hubspot, 'POST', DEAL_PROPERTY_CREATE)).toBe(6);
    expect(batchInputs()).toHaveLength(1);
    expect(batchInputs()[0]).toHaveLength(3);
    expect(hubspotDeal(deals.freshAppointment).properties).toMatchObject({
      sop_guide_step: 'qualification',
      sop_guide_compliance: 'blocked',
      sop_guide_stalled: 'false',
    });
    expect(hubspotDeal(deals.presentation).properties).toMatchObject({
      sop_guide_step: '',
      sop_guide_compliance: 'no_step',
      sop_guide_open_items: '0',
    });
    expect(
      t.hubspot.state.portal(SAMPLE_PORTAL_ID).dealProperties.get('sop_guide_compliance')?.groupName,
    ).toBe('sop_guide');

    // Later batches reuse the properties: no more definition calls in this process.
    await moveDeals([[deals.stalledQualified, 'presentationscheduled']]);
    expect(countHubSpotCalls(t.hubspot, 'POST', DEAL_PROPERTY_GROUP_CREATE)).toBe(1);
    expect(countHubSpotCalls(t.hubspot, 'POST', DEAL_PROPERTY_CREATE)).toBe(6);
    expect(countHubSpotCalls(t.hubspot, 'GET', /^\/crm\/v3\/properties\/deals/)).toBe(2);
    expect(batchInputs()).toHaveLength(2);
  });

  it('sends nothing when no value changed since the last write', async () => {
    const dealIds = Object.values(t.sample.deals);
    await services().writeback.markDealsChanged(SAMPLE_PORTAL_ID, dealIds, t.clock.now());
    const first = await services().writeback.flush(t.clock.now());
    expect(first).toMatchObject({ deals: dealIds.length, written: dealIds.length, updateCalls: 1 });

    await services().writeback.markDealsChanged(SAMPLE_PORTAL_ID, dealIds, t.clock.now());
    const second = await services().writeback.flush(t.clock.now());

    expect(second).toMatchObject({
      deals: dealIds.length,
      unchanged: dealIds.length,
      written: 0,
      updateCalls: 0,
    });
    expect(batchInputs()).toHaveLength(1);
    expect(await services().store.writebacks.listPendingWritebacks({ limit: 100 })).toEqual([]);
  });

  it("completes a flush's deals together: each keeps its own written values, and one marked again meanwhile stays pending", async () => {
    const { writebacks } = services().store;
    const now = t.clock.now();
    const dealIds = ['7001', '7002', '7003'];
    await writebacks.markDealsForWriteback(SAMPLE_PORTAL_ID, dealIds, now);
    const listed = await writebacks.listPendingWritebacks({ portalId: SAMPLE_PORTAL_ID, limit: 10 });
    expect(listed.map((entry) => entry.dealId).sort()).toEqual(dealIds);
    // Marked again while the flush was writing: its new mark must survive the completion.
    await writebacks.markDealsForWriteback(SAMPLE_PORTAL_ID, ['7002'], now);

    await writebacks.completeWritebacks(
      SAMPLE_PORTAL_ID,
      listed.map((entry) => ({
        dealId: entry.dealId,
        markRevision: entry.markRevision,
        writtenValues: entry.dealId === '7003' ? null : { sop_guide_open_items: `open-${entry.dealId}` },
      })),
      now,
    );

    expect(await writebacks.listPendingWritebacks({ portalId: SAMPLE_PORTAL_ID, limit: 10 })).toEqual([
      expect.objectContaining({ dealId: '7002', writtenValues: { sop_guide_open_items: 'open-7002' } }),
    ]);
    await writebacks.markDealsForWriteback(SAMPLE_PORTAL_ID, ['7001', '7003'], now);
    const again = await writebacks.listPendingWritebacks({ portalId: SAMPLE_PORTAL_ID, limit: 10 });
    expect(new Map(again.map((entry) => [entry.dealId, entry.writtenValues]))).toEqual(
      new Map([
        ['7001', { sop_guide_open_items: 'open-7001' }],
        ['7002', { sop_guide_open_items: 'open-7002' }],
        ['7003', null],
      ]),
    );
  });

  it('after a tick, sends only that deal and only the values that moved', async () => {
    const dealId = t.sample.deals.stalledQualified;
    await services().writeback.markDealsChanged(SAMPLE_PORTAL_ID, [dealId], t.clock.now());
    await services().writeback.flush(t.clock.now());

    await t.cardRequest('POST', actionPath(dealId, 'discovery-call'), { body: { done: true } });
    await services().writeback.flush(t.clock.now());

    expect(batchInputs()).toHaveLength(2);
    expect(batchInputs()[1]).toEqual([
      {
        id: dealId,
        properties: {
          sop_guide_progress_percent: expect.any(String),
          sop_guide_open_items: expect.any(String),
        },
      },
    ]);
    const before = batchInputs()[0]![0]!.properties as Record<string, string>;
    expect(Number(hubspotDeal(dealId).properties.sop_guide_open_items)).toBe(
      Number(before.sop_guide_open_items) - 1,
    );
  });

  it('splits more than 100 changed deals into batch calls of at most 100', async () => {
    const created = Array.from({ length: 130 }, (_, index) =>
      t.hubspot.state.upsertDeal(
        SAMPLE_PORTAL_ID,
        { properties: { dealname: `Bulk ${index}`, pipeline: 'default', dealstage: 'qualifiedtobuy' } },
        minutesAfter(t.clock.now(), -600),
      ),
    ).map((deal) => deal.id);
    await services().dealSync.syncDeals(SAMPLE_PORTAL_ID, created, t.clock.now());
    await services().writeback.markDealsChanged(SAMPLE_PORTAL_ID, created, t.clock.now());

    const result = await services().writeback.flush(t.clock.now());

    expect(result).toMatchObject({ written: 130, updateCalls: 2 });
    expect(batchInputs().map((inputs) => inputs.length)).toEqual([100, 30]);
  });

  it('keeps deals marked when HubSpot fails, and writes them at the next flush', async () => {
    const dealId = t.sample.deals.readyQualified;
    t.hubspot.inject({ method: 'POST', path: DEALS_BATCH_UPDATE, status: 503, times: 20 });
    await services().writeback.markDealsChanged(SAMPLE_PORTAL_ID, [dealId], t.clock.now());

    const failed = await services().writeback.flush(t.clock.now());

    expect(failed).toMatchObject({ failed: 1, written: 0 });
    expect(hubspotDeal(dealId).properties.sop_guide_step).toBeUndefined();
    expect(await services().store.writebacks.listPendingWritebacks({ limit: 10 })).toEqual([
      expect.objectContaining({ dealId, attempts: 1 }),
    ]);

    t.hubspot.clearFaults();
    const retried = await services().writeback.flush(t.clock.now());

    expect(retried).toMatchObject({ written: 1, failed: 0 });
    expect(hubspotDeal(dealId).properties.sop_guide_step).toBe('qualification');
    expect(await services().store.writebacks.listPendingWritebacks({ limit: 10 })).toEqual([]);
  });

  it('a deal that cannot be judged fails alone: the rest of the flush is written', async () => {
    const dealIds = Object.values(t.sample.deals);
    await services().writeback.markDealsChanged(SAMPLE_PORTAL_ID, dealIds, t.clock.now());
    await services().writeback.flush(t.clock.now());
    const poison = t.sample.deals.freshAppointment;
    const others = dealIds.filter((dealId) => dealId !== poison);
    // A projected deal whose stored properties are not an object: judging the flush's deals together fails.
    await sql`update deals set properties = '"not an object"' where deal_id = ${poison}`.execute(
      services().store.context.db,
    );
    await t.cardRequest('POST', actionPath(t.sample.deals.readyQualified, 'discovery-call'), {
      body: { done: true },
    });
    await services().writeback.markDealsChanged(SAMPLE_PORTAL_ID, dealIds, t.clock.now());

    const result = await services().writeback.flush(t.clock.now());

    expect(result).toMatchObject({
      deals: dealIds.length,
      failed: 1,
      written: 1,
      unchanged: others.length - 1,
    });
    expect(batchInputs().at(-1)).toEqual([expect.objectContaining({ id: t.sample.deals.readyQualified })]);
    expect(await services().store.writebacks.listPendingWritebacks({ limit: 10 })).toEqual([
      expect.objectContaining({ dealId: poison, attempts: 1 }),
    ]);
  });

  it('tries to create the properties again when the first attempt failed', async () => {
    const dealId = t.sample.deals.readyQualified;
    t.hubspot.inject({ method: 'POST', path: DEAL_PROPERTY_GROUP_CREATE, status: 500, times: 20 });
    await services().writeback.markDealsChanged(SAMPLE_PORTAL_ID, [dealId], t.clock.now());
    expect(await services().writeback.flush(t.clock.now())).toMatchObject({ failed: 1, updateCalls: 0 });

    t.hubspot.clearFaults();
    expect(await services().writeback.flush(t.clock.now())).toMatchObject({ written: 1 });
    expect(t.hubspot.state.portal(SAMPLE_PORTAL_ID).dealProperties.has('sop_guide_step')).toBe(true);
  });
});
