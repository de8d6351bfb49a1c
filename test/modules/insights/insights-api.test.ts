import {
  SAMPLE_PORTAL_ID,
  startTestService,
  stageChangeEvent,
  type TestService,
} from '../../support/service-harness';
import { DATABASES } from '../../support/test-databases';

const NOW = new Date('2026-11-26T15:00:00.000Z');
const DAY_MS = 24 * 60 * 60 * 1000;
const SECOND_PORTAL_ID = 99001;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS);

/**
 * A deal created `10 + cycleDays` days ago in appointmentscheduled, qualified two days later and closed
 * ten days ago: 2 days in prospecting, cycleDays − 2 in qualification, a cycle of cycleDays.
 */
function addClosedDeal(
  service: TestService,
  portalId: number,
  ownerId: string,
  deal: { cycleDays: number; won: boolean; amount: string | null },
): string {
  const { state } = service.hubspot;
  const created = daysAgo(10 + deal.cycleDays);
  const { id } = state.upsertDeal(
    portalId,
    {
      properties: {
        dealname: `Closed ${deal.cycleDays}`,
        pipeline: 'default',
        dealstage: 'appointmentscheduled',
        hubspot_owner_id: ownerId,
        amount: deal.amount,
        closedate: daysAgo(10).toISOString(),
      },
      createdAt: created,
    },
    created,
  );
  state.moveDealToStage(portalId, id, 'qualifiedtobuy', daysAgo(8 + deal.cycleDays));
  state.moveDealToStage(portalId, id, deal.won ? 'closedwon' : 'closedlost', daysAgo(10));
  return id;
}

describe.each(DATABASES)('insights API (%s)', (kind) => {
  let service: TestService;
  let rep: { ownerId: string; userId: string };
  let secondRep: { ownerId: string; userId: string };
  let manager: { ownerId: string; userId: string };

  const get = (path: string, userId: string, portalId = SAMPLE_PORTAL_ID) =>
    service.cardRequest('GET', path, { userId, portalId });

  /** Tells the service about these deals as HubSpot would (a stage webhook each), then records the history. */
  async function project(portalId: number, dealIds: string[]) {
    const events = dealIds.map((dealId) => {
      const deal = service.hubspot.state.portal(portalId).objects.deals.get(dealId)!;
      return stageChangeEvent(
        dealId,
        deal.properties.dealstage!,
        new Date(deal.properties.hs_v2_date_entered_current_stage!),
        portalId,
      );
    });
    expect((await service.sendWebhook(events)).status).toBe(200);
    await service.drainInbox();
    while ((await service.running.services.closedDealHistory.recordPending(NOW)) > 0);
  }

  beforeAll(async () => {
    service = await startTestService({ database: kind, now: NOW, secondPortal: true });
    ({ rep, secondRep } = service.sample.owners);
    manager = service.sample.owners.manager;
  });
  afterAll(() => service.stop());

  it('an empty portal answers zero counts, too few closed deals and empty months', async () => {
    const compliance = await get('/api/v1/insights/compliance', manager.userId);
    expect(compliance.status).toBe(200);
    expect(
      compliance.body.byStage.map((s: { stageId: string; open: number }) => [s.stageId, s.open]),
    ).toEqual([
      ['appointmentscheduled', 0],
      ['qualifiedtobuy', 0],
      ['presentationscheduled', 0],
      ['decisionmakerboughtin', 0],
      ['contractsent', 0],
    ]);
    expect(compliance.body.byOwner).toEqual([]);
    const outcomes = await get('/api/v1/insights/outcomes', manager.userId);
    expect(outcomes.body).toMatchObject({
      from: '2026-08-28',
      to: '2026-11-26',
      overall: { closed: 0, won: 0, winRate: null, medianCycleDays: null, tooFew: true },
      bySteps: [],
    });
    const demand = await get('/api/v1/insights/demand?months=2', manager.userId);
    expect(demand.body).toEqual({
      pipelineId: 'default',
      months: [
        { month: '2026-11', openDeals: 0, amount: 0, weightedAmount: 0, atRiskAmount: 0, wonAmount: 0 },
        { month: '2026-12', openDeals: 0, amount: 0, weightedAmount: 0, atRiskAmount: 0, wonAmount: 0 },
      ],
      withoutCloseDate: { openDeals: 0, amount: 0 },
    });
  });

  it('outcomes of closed deals: hand-worked win rates, cycle and step times; a rep sees only theirs', async () => {
    const ids = [
      addClosedDeal(service, SAMPLE_PORTAL_ID, rep.ownerId, { cycleDays: 10, won: true, amount: '1000' }),
      addClosedDeal(service, SAMPLE_PORTAL_ID, rep.ownerId, { cycleDays: 20, won: true, amount: '2000' }),
      addClosedDeal(service, SAMPLE_PORTAL_ID, rep.ownerId, { cycleDays: 30, won: true, amount: '3000' }),
      addClosedDeal(service, SAMPLE_PORTAL_ID, rep.ownerId, { cycleDays: 40, won: false, amount: '4000' }),
      addClosedDeal(service, SAMPLE_PORTAL_ID, rep.ownerId, { cycleDays: 50, won: false, amount: '5000' }),
      // No amount: counts as a closed deal all the same.
      addClosedDeal(service, SAMPLE_PORTAL_ID, secondRep.ownerId, { cycleDays: 5, won: true, amount: null }),
    ];
    const otherPortalOwner = service.secondSample!.owners.rep.ownerId;
    const otherIds = [1, 2, 3, 4, 5].map((n) =>
      addClosedDeal(service, SECOND_PORTAL_ID, otherPortalOwner, { cycleDays: n, won: false, amount: '1' }),
    );
    await project(SAMPLE_PORTAL_ID, ids);
    await project(SECOND_PORTAL_ID, otherIds);

    const window = '?from=2026-11-11&to=2026-11-26';
    const asManager = await get(`/api/v1/insights/outcomes${window}`, manager.userId);
    expect(asManager.status).toBe(200);
    // 4 of 6 won; cycles 5, 10, 20, 30, 40, 50: median (20 + 30) / 2. These deals left their steps before
    // the app was in use (its first playbook is from now), so no step counts as completed or not.
    expect(asManager.body.overall).toEqual({ closed: 6, won: 4, winRate: 0.667, medianCycleDays: 25 });
    expect(asManager.body.byPlaybookVersion).toEqual([
      { playbookVersion: 1, closed: 6, won: 4, winRate: 0.667, medianCycleDays: 25 },
    ]);
    expect(asManager.body.bySteps[0]).toEqual({
      stepId: 'prospecting',
      completed: { closed: 0, won: 0, winRate: null, medianCycleDays: null, tooFew: true },
      notCompleted: { closed: 0, won: 0, winRate: null, medianCycleDays: null, tooFew: true },
    });
    // Qualification took cycle − 2 days: 3, 8, 18, 28, 38, 48 → median 23, p90 the 6th value.
    expect(asManager.body.timeInStep).toEqual([
      { stepId: 'prospecting', medianDays: 2, p90Days: 2, n: 6 },
      { stepId: 'qualification', medianDays: 23, p90Days: 48, n: 6 },
    ]);

    const asRep = await get(`/api/v1/insights/outcomes${window}`, rep.userId);
    // Riley's five: 3 won, cycles 10..50.
    expect(asRep.body.overall).toEqual({ closed: 5, won: 3, winRate: 0.6, medianCycleDays: 30 });
    // A rep asking for another owner still gets their own deals.
    const repAsksForOther = await get(
      `/api/v1/insights/outcomes${window}&ownerId=${secondRep.ownerId}`,
      rep.userId,
    );
    expect(repAsksForOther.body.overall.closed).toBe(5);
    const managerFiltersOwner = await get(
      `/api/v1/insights/outcomes${window}&ownerId=${secondRep.ownerId}`,
      manager.userId,
    );
    expect(managerFiltersOwner.body.overall).toEqual({
      closed: 1,
      won: 1,
      winRate: null,
      medianCycleDays: null,
      tooFew: true,
    });

    const otherPortal = await get(
      `/api/v1/insights/outcomes${window}`,
      service.secondSample!.owners.manager.userId,
      SECOND_PORTAL_ID,
    );
    expect(otherPortal.body.overall).toEqual({ closed: 5, won: 0, winRate: 0, medianCycleDays: 3 });
  });

  it('compliance and demand of open deals: by stage, by owner, by close month, weighted and at risk', async () => {
    const { deals } = service.sample;
    const open = [
      deals.freshAppointment,
      deals.stalledQualified,
      deals.readyQualified,
      deals.presentation,
      deals.contractSent,
    ];
    await project(SAMPLE_PORTAL_ID, open);
    await service.running.services.writeback.flush(NOW);

    const compliance = await get('/api/v1/insights/compliance', manager.userId);
    expect(compliance.status).toBe(200);
    // The card's verdicts are what the dashboard counts.
    const cards = new Map<string, { readyToAdvance: boolean; stall: { stalled: boolean } }>();
    for (const dealId of open)
      cards.set(dealId, (await get(`/api/v1/deals/${dealId}/guidance`, rep.userId)).body);
    const readyCount = [...cards.values()].filter((card) => card.readyToAdvance).length;
    expect(compliance.body.byStage).toEqual([
      expect.objectContaining({
        stageId: 'appointmentscheduled',
        stepId: 'prospecting',
        open: 1,
        stalled: 0,
      }),
      expect.objectContaining({ stageId: 'qualifiedtobuy', label: 'Qualified To Buy', open: 2, stalled: 1 }),
      expect.objectContaining({ stageId: 'presentationscheduled', open: 1, stalled: 0 }),
      expect.objectContaining({ stageId: 'decisionmakerboughtin', open: 0 }),
      expect.objectContaining({
        stageId: 'contractsent',
        stepId: 'negotiation',
        open: 1,
        stalled: 1,
        openExceptions: 0,
      }),
    ]);
    const totals = compliance.body.byStage.reduce(
      (sum: { ready: number; blocked: number }, s: { ready: number; blocked: number }) => ({
        ready: sum.ready + s.ready,
        blocked: sum.blocked + s.blocked,
      }),
      { ready: 0, blocked: 0 },
    );
    expect(totals).toEqual({ ready: readyCount, blocked: 5 - readyCount });
    expect(
      compliance.body.byOwner.map((o: { name: string; open: number; stalled: number }) => [
        o.name,
        o.open,
        o.stalled,
      ]),
    ).toEqual([
      ['Riley Rep', 3, 2],
      ['Sam Seller', 2, 0],
    ]);
    const repCompliance = await get('/api/v1/insights/compliance', rep.userId);
    expect(repCompliance.body.byOwner.map((o: { name: string }) => o.name)).toEqual(['Riley Rep']);

    const demand = await get('/api/v1/insights/demand?months=3', manager.userId);
    expect(demand.status).toBe(200);
    expect(demand.body).toEqual({
      pipelineId: 'default',
      months: [
        // Won this month: the three deals won ten days ago with an amount (1000 + 2000 + 3000).
        { month: '2026-11', openDeals: 0, amount: 0, weightedAmount: 0, atRiskAmount: 0, wonAmount: 6000 },
        // 8500 × 0.4 + 23000 × 0.6 + 98000 × 0.9; the stalled contract (88200 weighted) is at risk.
        {
          month: '2026-12',
          openDeals: 3,
          amount: 129500,
          weightedAmount: 105400,
          atRiskAmount: 88200,
          wonAmount: 0,
        },
        {
          month: '2027-01',
          openDeals: 1,
          amount: 12000,
          weightedAmount: 2400,
          atRiskAmount: 0,
          wonAmount: 0,
        },
      ],
      // The stalled qualified deal has neither amount nor close date.
      withoutCloseDate: { openDeals: 1, amount: 0 },
    });
    const repDemand = await get('/api/v1/insights/demand?months=3', rep.userId);
    expect(repDemand.body.months[1]).toMatchObject({ openDeals: 1, amount: 98000, weightedAmount: 88200 });
  });

  it('a manager sets capacity, which demand shows with the gap; anyone else is refused', async () => {
    const body = { months: [{ month: '2026-12', amount: 200000 }] };
    const refused = await service.cardRequest('PUT', '/api/v1/insights/capacity', {
      userId: rep.userId,
      body,
    });
    expect(refused.status).toBe(403);
    const saved = await service.cardRequest('PUT', '/api/v1/insights/capacity', {
      userId: manager.userId,
      body,
    });
    expect(saved).toEqual({ status: 200, body: { months: [{ month: '2026-12', amount: 200000 }] } });
    const demand = await get('/api/v1/insights/demand?months=2', manager.userId);
    expect(demand.body.months[1]).toMatchObject({ capacity: 200000, gap: 94600 });
    // Capacity is per portal: the other portal plans its own.
    const other = await get(
      '/api/v1/insights/demand?months=2',
      service.secondSample!.owners.manager.userId,
      SECOND_PORTAL_ID,
    );
    expect(other.body.months[1].capacity).toBeUndefined();
  });

  it('a malformed capacity answers 400 naming the field path, and saves nothing', async () => {
    const put = (body: unknown) =>
      service.cardRequest('PUT', '/api/v1/insights/capacity', { userId: manager.userId, body });
    const badMonth = await put({ months: [{ month: '2027-13', amount: 1000 }] });
    expect(badMonth.status).toBe(400);
    expect(badMonth.body.error.message).toContain('months.0.month');
    const negative = await put({
      months: [
        { month: '2027-02', amount: 1000 },
        { month: '2027-03', amount: -5 },
      ],
    });
    expect(negative.status).toBe(400);
    expect(negative.body.error.message).toContain('months.1.amount');
    expect((await put({ months: [] })).status).toBe(400);
    const demand = await get('/api/v1/insights/demand?months=6', manager.userId);
    expect(demand.body.months.filter((month: { capacity?: number }) => month.capacity !== undefined)).toEqual(
      [expect.objectContaining({ month: '2026-12' })],
    );
  });

  it("the filters name the portal's pipelines for everyone, and the owners only for a manager", async () => {
    const pipelines = [
      {
        id: 'default',
        label: 'Sales Pipeline',
        stages: [
          { id: 'appointmentscheduled', label: 'Appointment Scheduled' },
          { id: 'qualifiedtobuy', label: 'Qualified To Buy' },
          { id: 'presentationscheduled', label: 'Presentation Scheduled' },
          { id: 'decisionmakerboughtin', label: 'Decision Maker Bought-In' },
          { id: 'contractsent', label: 'Contract Sent' },
          { id: 'closedwon', label: 'Closed Won' },
          { id: 'closedlost', label: 'Closed Lost' },
        ],
      },
    ];
    const forManager = await get('/api/v1/insights/filters', manager.userId);
    expect(forManager.status).toBe(200);
    expect(forManager.body).toEqual({
      canManage: true,
      ownerId: manager.ownerId,
      pipelines,
      owners: [
        { ownerId: manager.ownerId, name: 'Morgan Manager' },
        { ownerId: rep.ownerId, name: 'Riley Rep' },
        { ownerId: secondRep.ownerId, name: 'Sam Seller' },
      ],
    });
    const forRep = await get('/api/v1/insights/filters', rep.userId);
    expect(forRep.body).toEqual({
      canManage: false,
      ownerId: rep.ownerId,
      pipelines,
      owners: [],
    });
    const notInstalled = await get('/api/v1/insights/filters', manager.userId, 424242);
    expect(notInstalled.status).toBe(404);
  });

  it('bad filters answer 400 naming the field; an unknown pipeline 404', async () => {
    const badMonths = await get('/api/v1/insights/demand?months=99', manager.userId);
    expect(badMonths.status).toBe(400);
    expect(badMonths.body.error.message).toContain('months');
    const badDate = await get('/api/v1/insights/outcomes?from=yesterday', manager.userId);
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.message).toContain('from');
    const unknown = await get('/api/v1/insights/compliance?pipelineId=nope', manager.userId);
    expect(unknown.status).toBe(404);
    // A portal the app is not installed in is not found, and nothing is asked of HubSpot for it.
    const notInstalled = await get('/api/v1/insights/demand', manager.userId, 424242);
    expect(notInstalled.status).toBe(404);
    expect(notInstalled.body.error.message).toContain('not installed');
  });

  it('a step counts as completed when its required actions were ticked on the card before the deal left it', async () => {
    const { state } = service.hubspot;
    const created = daysAgo(1);
    const open = (name: string) =>
      state.upsertDeal(
        SAMPLE_PORTAL_ID,
        {
          properties: {
            dealname: name,
            pipeline: 'default',
            dealstage: 'appointmentscheduled',
            hubspot_owner_id: rep.ownerId,
          },
          createdAt: created,
        },
        created,
      ).id;
    const ticked = open('Ticked');
    const skipped = open('Skipped');
    await project(SAMPLE_PORTAL_ID, [ticked, skipped]);
    const hour = (n: number) => new Date(NOW.getTime() + n * 3_600_000);
    service.clock.set(hour(1));
    for (const actionId of ['research-account', 'confirm-icp-fit', 'book-first-meeting']) {
      const tick = await service.cardRequest('POST', `/api/v1/deals/${ticked}/actions/${actionId}`, {
        userId: rep.userId,
        body: { done: true },
      });
      expect(tick.status).toBe(200);
    }
    for (const dealId of [ticked, skipped]) {
      state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, 'qualifiedtobuy', hour(2));
      state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, 'closedwon', hour(3));
    }
    service.clock.set(hour(4));
    await project(SAMPLE_PORTAL_ID, [ticked, skipped]);

    const outcomes = await get('/api/v1/insights/outcomes?from=2026-11-26&to=2026-11-26', manager.userId);
    expect(outcomes.body.bySteps).toEqual([
      {
        stepId: 'prospecting',
        completed: { closed: 1, won: 1, winRate: null, medianCycleDays: null, tooFew: true },
        notCompleted: { closed: 1, won: 1, winRate: null, medianCycleDays: null, tooFew: true },
      },
      // Qualification was left an hour after entry, with nothing ticked: not completed for either.
      {
        stepId: 'qualification',
        completed: { closed: 0, won: 0, winRate: null, medianCycleDays: null, tooFew: true },
        notCompleted: { closed: 2, won: 2, winRate: null, medianCycleDays: null, tooFew: true },
      },
    ]);
    service.clock.set(NOW);
  });
});
