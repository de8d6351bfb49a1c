import { createDealsApi } from '../../../src/platform/hubspot/deals.api';
import type { SharedRateBudget } from '../../../src/platform/hubspot/portal-rate-limiter';
import { createTasksApi } from '../../../src/platform/hubspot/tasks.api';
import { createHubSpotTransport } from '../../../src/platform/hubspot/hubspot-transport';
import { createMetricsRegistry } from '../../../src/platform/observability/metrics.registry';
import { seedSamplePortal, startLocalHubSpot, type LocalHubSpot } from '../../../sandbox/local-hubspot';
import { createTestStore, type TestStore } from '../../support/test-databases';

/**
 * HubSpot's burst limit is per portal: three instances must not spend three budgets. Instances on one
 * PostgreSQL database share it (SQLite serves one process, whose own limiter is the whole budget).
 */
const PORTAL_ID = 62515;
const TOKEN = 'private-62515';
const LIMIT = { max: 4, intervalMs: 1000 };
const SEARCH_LIMIT = { max: 2, intervalMs: 1000 };
/** HubSpot counts arrivals, the transport counts departures: a little slack covers the network. */
const ARRIVAL_WINDOW_MS = LIMIT.intervalMs * 0.75;

describe('shared HubSpot rate budget (postgres)', () => {
  let hubspot: LocalHubSpot;
  let database: TestStore;
  let dealId: string;
  beforeAll(async () => {
    // The local HubSpot enforces the same limit: any excess would be answered 429.
    hubspot = await startLocalHubSpot({
      port: 0,
      rateLimit: { max: LIMIT.max, intervalMs: ARRIVAL_WINDOW_MS },
      searchRateLimit: { max: SEARCH_LIMIT.max, intervalMs: ARRIVAL_WINDOW_MS },
    });
    dealId = seedSamplePortal(hubspot.state, { portalId: PORTAL_ID, token: TOKEN }).deals.readyQualified;
    database = await createTestStore('postgres');
  });
  afterAll(async () => {
    await hubspot.close();
    await database.cleanup();
  });

  const transport = (
    options: { max?: number; windowMs?: number; budget?: SharedRateBudget; basePath?: string } = {},
  ) =>
    createHubSpotTransport({
      basePath: options.basePath ?? hubspot.url,
      tokenForPortal: () => TOKEN,
      metrics: createMetricsRegistry(),
      requestsPer10s: options.max ?? LIMIT.max,
      rateWindowMs: options.windowMs ?? LIMIT.intervalMs,
      searchRequestsPerSecond: SEARCH_LIMIT.max,
      sharedBudget: options.budget ?? database.store.rateBudget,
      // A 429 must fail the test, not be retried away.
      maxAttempts: 1,
    });
  const instance = () => createDealsApi(transport());

  /** No window of HubSpot's ever held more than `max` of these requests. */
  const expectWithin = (requests: ReadonlyArray<{ at: Date }>, max: number) => {
    const starts = requests.map((request) => request.at.getTime()).sort((a, b) => a - b);
    for (const at of starts) {
      const inWindow = starts.filter((other) => other > at - ARRIVAL_WINDOW_MS && other <= at).length;
      expect(inWindow).toBeLessThanOrEqual(max);
    }
  };
  beforeEach(() => {
    hubspot.requests.length = 0;
  });

  it('three instances together stay within one portal budget: HubSpot never refuses one', async () => {
    const instances = [instance(), instance(), instance()];
    const reads = instances.flatMap((deals) =>
      Array.from({ length: 4 }, () => deals.batchRead(PORTAL_ID, [dealId], ['dealname'])),
    );
    await Promise.all(reads);

    expect(hubspot.requests).toHaveLength(12);
    expect(hubspot.requests.every((request) => request.status === 200)).toBe(true);
    expectWithin(hubspot.requests, LIMIT.max);
  });

  it('a busy instance takes its starts in blocks, far fewer round trips than requests, and the limit still holds', async () => {
    // HubSpot's own figures: 100 in a rolling 10 s.
    const max = 100;
    const windowMs = 10_000;
    let roundTrips = 0;
    const counted: SharedRateBudget = {
      reserve: (request) => {
        roundTrips += 1;
        return database.store.rateBudget.reserve(request);
      },
    };
    // A HubSpot of its own that refuses a 101st request in a window.
    const busy = await startLocalHubSpot({ port: 0, rateLimit: { max, intervalMs: windowMs * 0.75 } });
    const busyDeal = seedSamplePortal(busy.state, { portalId: PORTAL_ID, token: TOKEN }).deals.readyQualified;
    try {
      const instances = [1, 2, 3].map(() =>
        createDealsApi(transport({ max, windowMs, budget: counted, basePath: busy.url })),
      );
      // Two requests in flight at a time on each instance, 20 each: all fit in one window, with room
      // for the starts a block reserves and its instance does not use.
      const reads = instances.flatMap((deals) =>
        [1, 2].map(async () => {
          for (let index = 0; index < 10; index += 1)
            await deals.batchRead(PORTAL_ID, [busyDeal], ['dealname']);
        }),
      );
      await Promise.all(reads);

      expect(busy.requests).toHaveLength(60);
      expect(busy.requests.every((request) => request.status === 200)).toBe(true);
      expectWithin(busy.requests, max);
      // A third of them at most: the blocks grow while an instance keeps using them.
      expect(roundTrips).toBeLessThan(60 / 3);
    } finally {
      await busy.close();
    }
  });

  it('searches share their own, lower budget across instances', async () => {
    const instances = [1, 2, 3].map(() => createTasksApi(transport()));
    const searches = instances.flatMap((tasks) =>
      Array.from({ length: 2 }, () => tasks.findByMarker(PORTAL_ID, 'nomarker')),
    );
    await Promise.all(searches);

    const searched = hubspot.requests.filter((request) => request.path.endsWith('/search'));
    expect(searched).toHaveLength(6);
    expect(searched.every((request) => request.status === 200)).toBe(true);
    expectWithin(searched, SEARCH_LIMIT.max);
  });
});
