import { HubSpotError } from '../../../src/platform/hubspot/hubspot-error';
import {
  PORTAL_A,
  PORTAL_B,
  TOKEN_A,
  requestsTo,
  startHubSpotHarness,
  type HubSpotHarness,
} from './hubspot-harness';

/**
 * How the transport behaves, seen through the resources, when HubSpot does not simply answer 200:
 * rate limits, server errors, lost answers, bad tokens, big batches, and several portals at once.
 */
const BATCH_READ = /^\/crm\/v3\/objects\/deals\/batch\/read$/;
const PIPELINES = '/crm/v3/pipelines/deals';

async function failureOf(work: Promise<unknown>): Promise<HubSpotError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof HubSpotError) return error;
    throw error;
  }
  throw new Error('expected a HubSpotError');
}

describe('the HubSpot transport under failure', () => {
  let h: HubSpotHarness;

  afterEach(async () => {
    await h.close();
  });

  describe('with default settings', () => {
    beforeEach(async () => {
      h = await startHubSpotHarness();
    });

    it('retries a 429 after a wait within the rate-limit window and counts both attempts', async () => {
      h.hubspot.inject({ method: 'GET', path: PIPELINES, status: 429 });

      const pipelines = await h.apis.pipelines.getAll(PORTAL_A);

      expect(pipelines[0]?.id).toBe('default');
      expect(h.sleeps).toHaveLength(1);
      expect(h.sleeps[0]).toBeGreaterThanOrEqual(1_000);
      expect(h.sleeps[0]).toBeLessThanOrEqual(10_000 * 1.2);
      const requests = h.metrics.counter('hubspot_requests_total', '');
      expect(requests.get({ operation: 'getDealPipelines', status: '429' })).toBe(1);
      expect(requests.get({ operation: 'getDealPipelines', status: '200' })).toBe(1);
      expect(h.metrics.renderPrometheusText()).toContain(
        'hubspot_requests_total{operation="getDealPipelines",status="429"} 1',
      );
    });

    it('honours Retry-After when HubSpot sends one', async () => {
      h.hubspot.inject({ method: 'GET', path: PIPELINES, status: 429, headers: { 'Retry-After': '3' } });

      await h.apis.pipelines.getAll(PORTAL_A);

      expect(h.sleeps[0]).toBeGreaterThanOrEqual(3_000);
      expect(h.sleeps[0]).toBeLessThan(4_000);
    });

    it('does not retry when the daily limit is used up', async () => {
      h.hubspot.inject({ method: 'GET', path: PIPELINES, status: 429, policyName: 'DAILY', times: 5 });

      const error = await failureOf(h.apis.pipelines.getAll(PORTAL_A));

      expect(error).toMatchObject({
        status: 429,
        retryable: false,
        attempts: 1,
        operation: 'getDealPipelines',
      });
      expect(h.sleeps).toEqual([]);
    });

    it('retries a 500 with growing waits and succeeds', async () => {
      h.hubspot.inject({ method: 'POST', path: BATCH_READ, status: 500, times: 2 });

      const { deals } = await h.apis.deals.batchRead(PORTAL_A, [h.portalA.deals.presentation], ['dealstage']);

      expect(deals).toHaveLength(1);
      expect(requestsTo(h.hubspot, BATCH_READ).map((r) => r.status)).toEqual([500, 500, 200]);
      expect(h.sleeps).toHaveLength(2);
      expect(h.sleeps[1]).toBeGreaterThan(h.sleeps[0]!);
    });

    it('retries a 502 whose body is not JSON', async () => {
      h.hubspot.inject({ method: 'POST', path: BATCH_READ, status: 502 });

      const { deals } = await h.apis.deals.batchRead(PORTAL_A, [h.portalA.deals.presentation], ['dealstage']);

      expect(deals).toHaveLength(1);
      expect(
        h.metrics.counter('hubspot_requests_total', '').get({ operation: 'batchReadDeals', status: '502' }),
      ).toBe(1);
    });

    it('gives up after maxAttempts with a retryable typed error', async () => {
      h.hubspot.inject({ method: 'POST', path: BATCH_READ, status: 503, times: 10 });

      const error = await failureOf(
        h.apis.deals.batchRead(PORTAL_A, [h.portalA.deals.presentation], ['dealstage']),
      );

      expect(error).toMatchObject({
        status: 503,
        retryable: true,
        attempts: 4,
        operation: 'batchReadDeals',
        portalId: PORTAL_A,
      });
      expect(requestsTo(h.hubspot, BATCH_READ)).toHaveLength(4);
    });

    it('does not retry a 401 and says so in a typed error without the token', async () => {
      h.hubspot.state.portal(PORTAL_A).token = 'rotated-elsewhere';

      const error = await failureOf(h.account.getDetails(PORTAL_A));

      expect(error).toMatchObject({
        status: 401,
        category: 'INVALID_AUTHENTICATION',
        retryable: false,
        attempts: 1,
      });
      expect(h.hubspot.requests).toHaveLength(1);
      expect(error.message).not.toContain(TOKEN_A);
      expect(h.metrics.renderPrometheusText()).not.toContain(TOKEN_A);
    });

    it('reads 250 deals in three batch calls of at most 100', async () => {
      const ids = Array.from(
        { length: 250 },
        (_, i) =>
          h.hubspot.state.upsertDeal(PORTAL_A, {
            properties: { dealname: `Deal ${i}`, dealstage: 'qualifiedtobuy' },
          }).id,
      );

      const { deals, missingIds } = await h.apis.deals.batchRead(PORTAL_A, ids, ['dealname']);

      expect(deals).toHaveLength(250);
      expect(missingIds).toEqual([]);
      const calls = requestsTo(h.hubspot, BATCH_READ);
      expect(calls.map((c) => (c.body as { inputs: unknown[] }).inputs.length)).toEqual([100, 100, 50]);
    });

    it('reads pipelines once per cache lifetime, per portal', async () => {
      await h.apis.pipelines.getAll(PORTAL_A);
      await h.apis.pipelines.getStageLabel(PORTAL_A, 'default', 'closedwon');
      await Promise.all([h.apis.pipelines.getAll(PORTAL_A), h.apis.pipelines.getAll(PORTAL_B)]);

      expect(requestsTo(h.hubspot, /^\/crm\/v3\/pipelines\/deals$/, 'GET').map((r) => r.portalId)).toEqual([
        PORTAL_A,
        PORTAL_B,
      ]);
    });

    it("never uses one portal's token for another portal", async () => {
      await h.account.getDetails(PORTAL_A);
      const before = h.hubspot.requests.length;

      await h.apis.deals.batchRead(
        PORTAL_B,
        [h.portalB.deals.presentation, h.portalA.deals.presentation],
        ['dealname'],
      );
      await h.apis.owners.list(PORTAL_B);
      const result = await h.apis.users.get(PORTAL_B, h.portalA.owners.manager.userId);

      const forB = h.hubspot.requests.slice(before);
      expect(forB.length).toBeGreaterThan(0);
      expect(forB.every((r) => r.portalId === PORTAL_B)).toBe(true);
      expect(result).toBeNull();
    });

    it('refuses a portal it has no token for, without calling HubSpot', async () => {
      const error = await failureOf(h.account.getDetails(424242));

      expect(error).toMatchObject({ category: 'PORTAL_NOT_CONNECTED', retryable: false });
      expect(h.hubspot.requests).toHaveLength(0);
    });

    it('does not repeat a task create after a 500, but does after a 429', async () => {
      const task = {
        dealId: h.portalA.deals.presentation,
        subject: 'Demo',
        body: 'sopgdemo2',
        dueAt: new Date(),
      };
      h.hubspot.inject({ method: 'POST', path: '/crm/v3/objects/tasks/batch/create', status: 500 });

      const error = await failureOf(h.apis.tasks.create(PORTAL_A, [task]));
      expect(error).toMatchObject({ status: 500, outcomeUnknown: true, attempts: 1 });

      h.hubspot.inject({ method: 'POST', path: '/crm/v3/objects/tasks/batch/create', status: 429 });
      const created = await h.apis.tasks.create(PORTAL_A, [task]);
      expect(created).toHaveLength(1);
      expect(h.hubspot.state.listTasks(PORTAL_A)).toHaveLength(1);
    });

    it('hands back the tasks earlier batches created when a later batch fails', async () => {
      const tasks = Array.from({ length: 150 }, (_, i) => ({
        dealId: h.portalA.deals.presentation,
        subject: `T${i}`,
        body: `sopgpart${i}`,
        dueAt: new Date(),
      }));
      h.hubspot.inject({ method: 'POST', path: '/crm/v3/objects/tasks/batch/create', status: 503, skip: 1 });

      const error = await failureOf(h.apis.tasks.create(PORTAL_A, tasks));

      expect(error.outcomeUnknown).toBe(true);
      expect(Array.isArray(error.partialResult) ? error.partialResult : []).toHaveLength(100);
      expect(h.hubspot.state.listTasks(PORTAL_A)).toHaveLength(100);
    });
  });

  describe('with a short timeout', () => {
    beforeEach(async () => {
      h = await startHubSpotHarness({ transport: { timeoutMs: 200 } });
    });

    it('retries a read that got no answer in time', async () => {
      h.hubspot.inject({ method: 'GET', path: '/crm/v3/owners', delayMs: 1_000 });

      const owners = await h.apis.owners.list(PORTAL_A);

      expect(owners).toHaveLength(3);
      const counter = h.metrics.counter('hubspot_requests_total', '');
      expect(counter.get({ operation: 'listOwners', status: 'timeout' })).toBe(1);
      expect(counter.get({ operation: 'listOwners', status: '200' })).toBe(1);
    });

    it('does not create a task twice when HubSpot created it but the answer was lost', async () => {
      h.hubspot.inject({ method: 'POST', path: '/crm/v3/objects/tasks/batch/create', afterResponse: true });
      const task = {
        dealId: h.portalA.deals.stalledQualified,
        subject: 'Deal stalled',
        body: 'Follow up. sopgr7k2q9',
        dueAt: new Date('2026-11-30T14:00:00.000Z'),
      };

      const error = await failureOf(h.apis.tasks.create(PORTAL_A, [task]));

      expect(error).toMatchObject({
        category: 'TIMEOUT',
        retryable: true,
        outcomeUnknown: true,
        attempts: 1,
      });
      expect(h.hubspot.state.listTasks(PORTAL_A)).toHaveLength(1);
      const reconciled = await h.apis.tasks.findByMarker(PORTAL_A, 'sopgr7k2q9');
      expect(reconciled.map((t) => t.subject)).toEqual(['Deal stalled']);
    });
  });

  describe('with a pipeline cache lifetime', () => {
    it('reads pipelines again once the cache expired', async () => {
      let clock = 0;
      h = await startHubSpotHarness({ pipelineCache: { ttlMs: 600_000, now: () => clock } });

      await h.apis.pipelines.getAll(PORTAL_A);
      clock += 599_000;
      await h.apis.pipelines.getAll(PORTAL_A);
      clock += 2_000;
      await h.apis.pipelines.getAll(PORTAL_A);

      expect(requestsTo(h.hubspot, /^\/crm\/v3\/pipelines\/deals$/, 'GET')).toHaveLength(2);
    });
  });

  describe('with a small rate budget', () => {
    it('caps the request rate per portal so HubSpot never refuses', async () => {
      const windowMs = 400;
      h = await startHubSpotHarness({
        transport: { requestsPer10s: 5, rateWindowMs: windowMs },
        // HubSpot counts arrivals, the transport counts departures: a little slack covers the network.
        fake: { rateLimit: { max: 5, intervalMs: windowMs * 0.75 } },
      });

      await Promise.all(Array.from({ length: 12 }, () => h.account.getDetails(PORTAL_A)));

      // The fake refuses a sixth request within its window: twelve answered at the first attempt
      // (no 429, no retry) means the transport spread them over the windows itself.
      const statuses = h.hubspot.requests.map((r) => r.status);
      expect(statuses.filter((s) => s === 429)).toHaveLength(0);
      expect(statuses).toHaveLength(12);
    });

    it('gives each portal its own budget', async () => {
      h = await startHubSpotHarness({ transport: { requestsPer10s: 2, rateWindowMs: 1_000 } });
      const finished: string[] = [];
      const call = (portalId: number, label: string) =>
        h.account.getDetails(portalId).then(() => finished.push(label));

      // Portal A's third request waits for A's window; B, queued behind it, must not.
      await Promise.all([
        call(PORTAL_A, 'A1'),
        call(PORTAL_A, 'A2'),
        call(PORTAL_A, 'A3'),
        call(PORTAL_B, 'B'),
      ]);

      expect(finished.indexOf('B')).toBeLessThan(finished.indexOf('A3'));
    });
  });
});
