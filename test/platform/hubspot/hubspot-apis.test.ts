import { PORTAL_A, PORTAL_B, requestsTo, startHubSpotHarness, type HubSpotHarness } from './hubspot-harness';

/** Each HubSpot resource against the local HubSpot, through the real SDK over HTTP. */
describe('the HubSpot resources', () => {
  let h: HubSpotHarness;

  beforeEach(async () => {
    h = await startHubSpotHarness();
  });

  afterEach(async () => {
    await h.close();
  });

  it("reads the portal's account details", async () => {
    const details = await h.account.getDetails(PORTAL_B);

    expect(details).toMatchObject({
      portalId: PORTAL_B,
      timeZone: 'Europe/Berlin',
      companyCurrency: 'USD',
      uiDomain: 'app.hubspot.com',
      dataHostingLocation: 'na1',
    });
  });

  it('reads deal pipelines with numeric probabilities and looks up stage labels', async () => {
    const pipelines = await h.apis.pipelines.getAll(PORTAL_A);

    expect(pipelines[0]?.stages.find((s) => s.id === 'closedwon')).toEqual({
      id: 'closedwon',
      label: 'Closed Won',
      displayOrder: 5,
      probability: 1,
      isClosed: true,
      archived: false,
    });
    expect(await h.apis.pipelines.getStageLabel(PORTAL_A, 'default', 'decisionmakerboughtin')).toBe(
      'Decision Maker Bought-In',
    );
    expect(await h.apis.pipelines.getStageLabel(PORTAL_A, 'default', 'no-such-stage')).toBeNull();
  });

  it('reads deals in batches and reports the ids HubSpot does not know', async () => {
    const { deals, missingIds } = await h.apis.deals.batchRead(
      PORTAL_A,
      [h.portalA.deals.stalledQualified, '404404'],
      ['dealstage', 'amount', 'hs_v2_date_entered_current_stage'],
      { propertiesWithHistory: ['dealstage'] },
    );

    expect(missingIds).toEqual(['404404']);
    expect(deals).toHaveLength(1);
    expect(deals[0]?.properties).toMatchObject({ dealstage: 'qualifiedtobuy', amount: null });
    expect(deals[0]?.propertiesWithHistory.dealstage?.map((e) => e.value)).toEqual([
      'qualifiedtobuy',
      'appointmentscheduled',
    ]);
    expect(deals[0]?.createdAt).toBeInstanceOf(Date);
  });

  it('pages through every deal id of a portal for backfill', async () => {
    const extra = Array.from(
      { length: 230 },
      (_, i) =>
        h.hubspot.state.upsertDeal(PORTAL_B, {
          properties: { dealname: `Old deal ${i}`, dealstage: 'qualifiedtobuy' },
        }).id,
    );

    const pages: string[][] = [];
    for await (const ids of h.apis.deals.pageIds(PORTAL_B)) pages.push(ids);

    expect(pages.map((p) => p.length)).toEqual([100, 100, 36]);
    expect(new Set(pages.flat())).toEqual(new Set([...Object.values(h.portalB.deals), ...extra]));
  });

  it('counts associated records per deal, zero for deals with none', async () => {
    const counts = await h.apis.associations.countForDeals(
      PORTAL_A,
      [h.portalA.deals.contractSent, h.portalA.deals.stalledQualified, h.portalA.deals.readyQualified],
      'contacts',
    );

    expect(Object.fromEntries(counts)).toEqual({
      [h.portalA.deals.contractSent]: 4,
      [h.portalA.deals.stalledQualified]: 0,
      [h.portalA.deals.readyQualified]: 2,
    });
  });

  it('follows association paging past 500 associated records', async () => {
    const manyContacts = Array.from({ length: 1203 }, (_, i) => String(90_000_000 + i));
    h.hubspot.state.setAssociations(
      PORTAL_A,
      { type: 'deals', id: h.portalA.deals.freshAppointment },
      'contacts',
      manyContacts,
    );

    const counts = await h.apis.associations.countForDeals(
      PORTAL_A,
      [h.portalA.deals.freshAppointment],
      'contacts',
    );

    expect(counts.get(h.portalA.deals.freshAppointment)).toBe(1203);
    expect(requestsTo(h.hubspot, /^\/crm\/v4\/associations\/deals\/contacts\/batch\/read$/)).toHaveLength(3);
  });

  it('updates deals in batches and moves stage timing when the stage changes', async () => {
    const result = await h.apis.deals.batchUpdate(PORTAL_A, [
      {
        id: h.portalA.deals.stalledQualified,
        properties: { amount: '5000', dealstage: 'presentationscheduled' },
      },
      { id: '404404', properties: { amount: '1' } },
    ]);

    expect(result).toEqual({ updatedIds: [h.portalA.deals.stalledQualified], missingIds: ['404404'] });
    const deal = h.hubspot.state.getDeal(PORTAL_A, h.portalA.deals.stalledQualified)!;
    expect(deal.properties).toMatchObject({ amount: '5000', dealstage: 'presentationscheduled' });
    expect(deal.properties.hs_v2_date_exited_qualifiedtobuy).toBe(
      deal.properties.hs_v2_date_entered_presentationscheduled,
    );
  });

  it('creates the SOP property group and properties once, tolerating ones that already exist', async () => {
    const group = { name: 'sop_guide', label: 'SOP Guide' };
    const properties = [
      { name: 'sop_guide_step', label: 'SOP step', type: 'string', fieldType: 'text' },
      { name: 'sop_guide_ready', label: 'Ready to advance', type: 'bool', fieldType: 'booleancheckbox' },
    ] as const;

    const first = await h.apis.properties.ensureDealProperties(PORTAL_A, group, properties);
    const second = await h.apis.properties.ensureDealProperties(PORTAL_A, group, properties);

    expect(first).toEqual({ groupCreated: true, createdProperties: ['sop_guide_step', 'sop_guide_ready'] });
    expect(second).toEqual({ groupCreated: false, createdProperties: [] });
    expect(h.hubspot.state.portal(PORTAL_A).dealProperties.get('sop_guide_step')?.groupName).toBe(
      'sop_guide',
    );
  });

  it('treats a property created concurrently elsewhere (409) as done', async () => {
    const group = { name: 'sop_guide', label: 'SOP Guide' };
    const spec = { name: 'sop_guide_step', label: 'SOP step', type: 'string', fieldType: 'text' } as const;
    // Another instance creates the property between our list and our create: hold our create at
    // HubSpot's door until the other one is in.
    h.hubspot.inject({ method: 'POST', path: '/crm/v3/properties/deals', delayMs: 100 });
    const racing = h.apis.properties.ensureDealProperties(PORTAL_A, group, [spec]);
    await waitFor(() => requestsTo(h.hubspot, /^\/crm\/v3\/properties\/deals$/).length === 1);
    h.hubspot.state.portal(PORTAL_A).dealProperties.set('sop_guide_step', {
      ...spec,
      groupName: 'sop_guide',
      description: '',
      options: [],
      displayOrder: 0,
      hubspotDefined: false,
      calculated: false,
      hasUniqueValue: false,
      hidden: false,
      formField: false,
      createdAt: new Date(),
      updatedAt: new Date(),
    });

    await expect(racing).resolves.toEqual({ groupCreated: true, createdProperties: [] });
    expect(requestsTo(h.hubspot, /^\/crm\/v3\/properties\/deals$/)[0]?.status).toBe(409);
  });

  it('creates tasks associated with their deals and owners and finds one again by its marker', async () => {
    const dueAt = new Date('2026-11-30T14:00:00.000Z');
    const created = await h.apis.tasks.create(PORTAL_A, [
      {
        dealId: h.portalA.deals.stalledQualified,
        subject: 'Deal stalled in Qualified To Buy',
        body: 'No activity for 15 days. sopg1stalled1',
        dueAt,
        ownerId: h.portalA.owners.rep.ownerId,
        key: 'reminder-1',
      },
      {
        dealId: h.portalA.deals.contractSent,
        subject: 'Chase the contract',
        body: 'sopg1contract9',
        dueAt,
        key: 'reminder-2',
      },
    ]);

    expect(created.map((t) => [t.key, t.dealId, t.status, t.dueAt?.toISOString()])).toEqual([
      ['reminder-1', h.portalA.deals.stalledQualified, 'NOT_STARTED', dueAt.toISOString()],
      ['reminder-2', h.portalA.deals.contractSent, 'NOT_STARTED', dueAt.toISOString()],
    ]);
    expect(h.hubspot.state.listTasks(PORTAL_A).map((t) => t.dealIds)).toEqual([
      [h.portalA.deals.stalledQualified],
      [h.portalA.deals.contractSent],
    ]);
    expect(h.hubspot.state.listTasks(PORTAL_A).map((t) => t.properties.hubspot_owner_id ?? null)).toEqual([
      h.portalA.owners.rep.ownerId,
      null,
    ]);
    const byMarker = await h.apis.tasks.findByMarker(PORTAL_A, 'sopg1contract9');
    expect(byMarker.map((t) => t.id)).toEqual([created[1]?.id]);
  });

  it('creates 250 tasks in three batch calls', async () => {
    const dueAt = new Date('2026-12-01T14:00:00.000Z');
    const tasks = Array.from({ length: 250 }, (_, i) => ({
      dealId: h.portalA.deals.presentation,
      subject: `Task ${i}`,
      body: `sopgbulk${i}`,
      dueAt,
    }));

    const created = await h.apis.tasks.create(PORTAL_A, tasks);

    expect(created).toHaveLength(250);
    expect(requestsTo(h.hubspot, /^\/crm\/v3\/objects\/tasks\/batch\/create$/)).toHaveLength(3);
  });

  it('refuses a marker HubSpot search could not match as one token', async () => {
    await expect(h.apis.tasks.findByMarker(PORTAL_A, 'sop-guide:1')).rejects.toThrow(/single token/);
  });

  it('completes tasks and reports the ones that are gone', async () => {
    const [task] = await h.apis.tasks.create(PORTAL_A, [
      { dealId: h.portalA.deals.presentation, subject: 'Prepare demo', body: 'sopgdemo1', dueAt: new Date() },
    ]);

    const result = await h.apis.tasks.complete(PORTAL_A, [task!.id, '404404']);

    expect(result).toEqual({ completedIds: [task!.id], missingIds: ['404404'] });
    expect(h.hubspot.state.listTasks(PORTAL_A)[0]?.properties).toMatchObject({
      hs_task_status: 'COMPLETED',
      hs_task_completion_date: expect.any(String),
    });
  });

  it('reads a user with the super admin flag, and null for an unknown user', async () => {
    const manager = await h.apis.users.get(PORTAL_A, h.portalA.owners.manager.userId);
    const rep = await h.apis.users.get(PORTAL_A, h.portalA.owners.rep.userId);

    expect(manager).toMatchObject({
      id: h.portalA.owners.manager.userId,
      superAdmin: true,
      email: h.portalA.owners.manager.email,
    });
    expect(rep?.superAdmin).toBe(false);
    expect(await h.apis.users.get(PORTAL_A, '123')).toBeNull();
  });

  it('lists every owner across pages with their user ids and teams', async () => {
    for (let i = 0; i < 600; i += 1) {
      h.hubspot.state.addOwner(PORTAL_A, {
        id: String(500_000 + i),
        email: `owner${i}@example.com`,
        firstName: 'Owner',
        lastName: String(i),
        userId: 600_000 + i,
        teams: [],
      });
    }

    const owners = await h.apis.owners.list(PORTAL_A);

    expect(owners).toHaveLength(603);
    expect(owners[0]).toMatchObject({
      id: h.portalA.owners.rep.ownerId,
      userId: h.portalA.owners.rep.userId,
      teams: [{ name: 'Sales East', primary: true }],
    });
    expect(requestsTo(h.hubspot, /^\/crm\/v3\/owners$/, 'GET')).toHaveLength(2);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
