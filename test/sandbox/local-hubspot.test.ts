import { Client } from '@hubspot/api-client';
import {
  LocalHubSpotState,
  addDefaultDealPipeline,
  seedSamplePortal,
  startLocalHubSpot,
  type LocalHubSpot,
} from '../../sandbox/local-hubspot';

/**
 * The local HubSpot must answer like HubSpot, or every test built on it proves nothing. These tests
 * talk to it with the real SDK and check the facts the app depends on.
 */
const PORTAL = 62515;
const TOKEN = 'pat-na1-fake-self-test';

function sdk(hubspot: LocalHubSpot, token = TOKEN) {
  return new Client({ accessToken: token, basePath: hubspot.url, numberOfApiCallRetries: 0 });
}

async function failureOf(
  work: Promise<unknown>,
): Promise<{ code: number; body: Record<string, unknown>; headers: Record<string, string> }> {
  try {
    await work;
  } catch (error) {
    return error as { code: number; body: Record<string, unknown>; headers: Record<string, string> };
  }
  throw new Error('expected the call to fail');
}

describe('the local HubSpot', () => {
  let hubspot: LocalHubSpot;
  let state: LocalHubSpotState;

  beforeEach(async () => {
    state = new LocalHubSpotState();
    hubspot = await startLocalHubSpot({ state });
  });

  afterEach(async () => {
    await hubspot.close();
  });

  it("serves HubSpot's default deal pipeline with its real stage ids, labels and probabilities", async () => {
    seedSamplePortal(state, { portalId: PORTAL, token: TOKEN });

    const { results } = await sdk(hubspot).crm.pipelines.pipelinesApi.getAll('deals');

    expect(results).toHaveLength(1);
    const pipeline = results[0]!;
    expect(pipeline).toMatchObject({ id: 'default', label: 'Sales Pipeline', archived: false });
    expect(
      pipeline.stages.map((s) => [s.id, s.label, s.metadata?.probability, s.metadata?.isClosed]),
    ).toEqual([
      ['appointmentscheduled', 'Appointment Scheduled', '0.2', 'false'],
      ['qualifiedtobuy', 'Qualified To Buy', '0.4', 'false'],
      ['presentationscheduled', 'Presentation Scheduled', '0.6', 'false'],
      ['decisionmakerboughtin', 'Decision Maker Bought-In', '0.8', 'false'],
      ['contractsent', 'Contract Sent', '0.9', 'false'],
      ['closedwon', 'Closed Won', '1', 'true'],
      ['closedlost', 'Closed Lost', '0', 'true'],
    ]);
  });

  it("moving a deal between stages keeps HubSpot's stage timing properties", async () => {
    state.addPortal({ portalId: PORTAL, token: TOKEN });
    addDefaultDealPipeline(state, PORTAL);
    const created = new Date('2026-11-02T09:00:00.000Z');
    const qualified = new Date('2026-11-10T15:30:00.000Z');
    const deal = state.upsertDeal(
      PORTAL,
      { properties: { dealname: 'Timing', dealstage: 'appointmentscheduled' }, createdAt: created },
      created,
    );

    state.moveDealToStage(PORTAL, deal.id, 'qualifiedtobuy', qualified);

    const read = await sdk(hubspot).crm.deals.batchApi.read({
      inputs: [{ id: deal.id }],
      properties: [
        'dealstage',
        'hs_v2_date_entered_appointmentscheduled',
        'hs_v2_date_exited_appointmentscheduled',
        'hs_v2_latest_time_in_appointmentscheduled',
        'hs_v2_date_entered_qualifiedtobuy',
        'hs_v2_date_exited_qualifiedtobuy',
        'hs_v2_date_entered_current_stage',
        'hs_v2_time_in_current_stage',
        'hs_deal_stage_probability',
      ],
      propertiesWithHistory: ['dealstage'],
    });

    const properties = read.results[0]!.properties;
    expect(properties).toMatchObject({
      dealstage: 'qualifiedtobuy',
      hs_v2_date_entered_appointmentscheduled: created.toISOString(),
      hs_v2_date_exited_appointmentscheduled: qualified.toISOString(),
      hs_v2_latest_time_in_appointmentscheduled: String(qualified.getTime() - created.getTime()),
      hs_v2_date_entered_qualifiedtobuy: qualified.toISOString(),
      hs_v2_date_exited_qualifiedtobuy: null,
      hs_v2_date_entered_current_stage: qualified.toISOString(),
      hs_v2_time_in_current_stage: qualified.toISOString(),
      hs_deal_stage_probability: '0.4',
      hs_lastmodifieddate: qualified.toISOString(),
      hs_object_id: deal.id,
    });
    expect(
      read.results[0]!.propertiesWithHistory?.dealstage?.map(({ value, timestamp, sourceType }) => ({
        value,
        timestamp,
        sourceType,
      })),
    ).toEqual([
      { value: 'qualifiedtobuy', timestamp: qualified, sourceType: 'CRM_UI' },
      { value: 'appointmentscheduled', timestamp: created, sourceType: 'CRM_UI' },
    ]);
  });

  it("keeps a property's history newest first even when a change is recorded back-dated", async () => {
    state.addPortal({ portalId: PORTAL, token: TOKEN });
    addDefaultDealPipeline(state, PORTAL);
    const created = new Date('2026-11-02T09:00:00.000Z');
    const deal = state.upsertDeal(
      PORTAL,
      { properties: { dealname: 'Order', dealstage: 'appointmentscheduled' }, createdAt: created },
      created,
    );
    state.moveDealToStage(PORTAL, deal.id, 'presentationscheduled', new Date('2026-11-20T00:00:00.000Z'));
    state.moveDealToStage(PORTAL, deal.id, 'qualifiedtobuy', new Date('2026-11-10T00:00:00.000Z'));

    const read = await sdk(hubspot).crm.deals.batchApi.read({
      inputs: [{ id: deal.id }],
      properties: ['dealstage'],
      propertiesWithHistory: ['dealstage'],
    });

    expect(read.results[0]!.propertiesWithHistory?.dealstage?.map((h) => h.value)).toEqual([
      'presentationscheduled',
      'qualifiedtobuy',
      'appointmentscheduled',
    ]);
  });

  it('returns only the asked-for properties plus the ones HubSpot always returns', async () => {
    const sample = seedSamplePortal(state, { portalId: PORTAL, token: TOKEN });

    const read = await sdk(hubspot).crm.deals.batchApi.read({
      inputs: [{ id: sample.deals.readyQualified }],
      properties: ['amount', 'not_a_property'],
      propertiesWithHistory: [],
    });

    expect(Object.keys(read.results[0]!.properties).sort()).toEqual([
      'amount',
      'createdate',
      'hs_lastmodifieddate',
      'hs_object_id',
    ]);
  });

  it('answers a batch read with unknown ids with a 207 that names them', async () => {
    const sample = seedSamplePortal(state, { portalId: PORTAL, token: TOKEN });

    const response = await sdk(hubspot).crm.deals.batchApi.readWithHttpInfo({
      inputs: [{ id: sample.deals.presentation }, { id: '999' }],
      properties: ['dealname'],
      propertiesWithHistory: [],
    });

    expect(response.httpStatusCode).toBe(207);
    expect(response.data.results.map((r) => r.id)).toEqual([sample.deals.presentation]);
    expect('errors' in response.data && response.data.errors?.[0]).toMatchObject({
      category: 'OBJECT_NOT_FOUND',
      context: { ids: ['999'] },
    });
  });

  it("refuses an unknown token with HubSpot's 401 body", async () => {
    seedSamplePortal(state, { portalId: PORTAL, token: TOKEN });

    const failure = await failureOf(sdk(hubspot, 'not-a-token').crm.pipelines.pipelinesApi.getAll('deals'));

    expect(failure.code).toBe(401);
    expect(failure.body).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
    expect(String(failure.body.message)).toMatch(/^Authentication credentials not found/);
    expect(hubspot.requests.at(-1)).toMatchObject({ status: 401, portalId: null });
  });

  it('refuses a batch of more than 100 inputs with a validation error', async () => {
    seedSamplePortal(state, { portalId: PORTAL, token: TOKEN });
    const inputs = Array.from({ length: 101 }, (_, i) => ({ id: String(i + 1) }));

    const failure = await failureOf(
      sdk(hubspot).crm.deals.batchApi.read({ inputs, properties: [], propertiesWithHistory: [] }),
    );

    expect(failure.code).toBe(400);
    expect(failure.body).toMatchObject({ category: 'VALIDATION_ERROR' });
  });

  it('answers 409 when a deal property already exists', async () => {
    seedSamplePortal(state, { portalId: PORTAL, token: TOKEN });
    const property = {
      name: 'sop_step',
      label: 'SOP step',
      type: 'string',
      fieldType: 'text',
      groupName: 'dealinformation',
    } as Parameters<Client['crm']['properties']['coreApi']['create']>[1];
    await sdk(hubspot).crm.properties.coreApi.create('deals', property);

    const failure = await failureOf(sdk(hubspot).crm.properties.coreApi.create('deals', property));

    expect(failure.code).toBe(409);
    expect(failure.body).toMatchObject({ category: 'OBJECT_ALREADY_EXISTS' });
  });

  it('answers unknown routes with a HubSpot 404 body', async () => {
    seedSamplePortal(state, { portalId: PORTAL, token: TOKEN });

    const response = await sdk(hubspot).apiRequest({ method: 'GET', path: '/crm/v3/nothing-here' });

    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
  });

  it("answers an injected 429 with HubSpot's ten-secondly body and rate-limit headers", async () => {
    seedSamplePortal(state, { portalId: PORTAL, token: TOKEN });
    hubspot.inject({ path: '/crm/v3/pipelines/deals', status: 429 });

    const response = await sdk(hubspot).apiRequest({ method: 'GET', path: '/crm/v3/pipelines/deals' });

    expect(response.status).toBe(429);
    expect(await response.json()).toMatchObject({
      status: 'error',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
      message: 'You have reached your ten_secondly_rolling limit.',
    });
    expect(response.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
    expect(response.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
    const again = await sdk(hubspot).apiRequest({ method: 'GET', path: '/crm/v3/pipelines/deals' });
    expect(again.status).toBe(200);
  });

  it('enforces its own per-portal burst limit like HubSpot', async () => {
    await hubspot.close();
    hubspot = await startLocalHubSpot({ state, rateLimit: { max: 3, intervalMs: 60_000 } });
    seedSamplePortal(state, { portalId: PORTAL, token: TOKEN });
    seedSamplePortal(state, { portalId: 1, token: 'other-portal' });

    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push((await sdk(hubspot).apiRequest({ path: '/account-info/v3/details' })).status);
    }
    const otherPortal = await sdk(hubspot, 'other-portal').apiRequest({ path: '/account-info/v3/details' });

    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(otherPortal.status).toBe(200);
  });

  it('can do the work and lose the answer: the task exists although the client never heard back', async () => {
    const sample = seedSamplePortal(state, { portalId: PORTAL, token: TOKEN });
    hubspot.inject({ method: 'POST', path: '/crm/v3/objects/tasks/batch/create', afterResponse: true });
    const created = sdk(hubspot).crm.objects.tasks.batchApi.create({
      inputs: [
        {
          properties: {
            hs_timestamp: '2026-11-27T14:00:00.000Z',
            hs_task_subject: 'Call back',
            hs_task_body: 'marker lostanswer1',
          },
          associations: [
            {
              to: { id: sample.deals.stalledQualified },
              types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 216 }],
            },
          ],
        },
      ],
    });
    created.catch(() => undefined);

    await waitFor(() => state.listTasks(PORTAL).length === 1);

    expect(state.listTasks(PORTAL)[0]).toMatchObject({
      properties: { hs_task_subject: 'Call back' },
      dealIds: [sample.deals.stalledQualified],
    });
    expect(hubspot.requests.at(-1)?.status).toBeNull();
  });

  it('keeps portals apart: a token only sees its own portal', async () => {
    const a = seedSamplePortal(state, { portalId: PORTAL, token: TOKEN });
    seedSamplePortal(state, { portalId: 99, token: 'token-99' });

    const read = await sdk(hubspot, 'token-99').crm.deals.batchApi.readWithHttpInfo({
      inputs: [{ id: a.deals.closedWon }],
      properties: [],
      propertiesWithHistory: [],
    });

    expect(read.httpStatusCode).toBe(207);
    expect(read.data.results).toEqual([]);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
