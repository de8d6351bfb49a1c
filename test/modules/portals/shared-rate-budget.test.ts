import { createDealsApi } from '../../../src/platform/hubspot/deals.api';
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
    });
    dealId = seedSamplePortal(hubspot.state, { portalId: PORTAL_ID, token: TOKEN }).deals.readyQualified;
    database = await createTestStore('postgres');
  });
  afterAll(async () => {
    await hubspot.close();
    await database.cleanup();
  });

  const instance = () =>
    createDealsApi(
      createHubSpotTransport({
        basePath: hubspot.url,
        tokenForPortal: () => TOKEN,
        metrics: createMetricsRegistry(),
        requestsPer10s: LIMIT.max,
        rateWindowMs: LIMIT.intervalMs,
        sharedBudget: database.store.rateBudget,
        // A 429 must fail the test, not be retried away.
        maxAttempts: 1,
      }),
    );

  it('three instances together stay within one portal budget: HubSpot never refuses one', async () => {
    const instances = [instance(), instance(), instance()];
    const reads = instances.flatMap((deals) =>
      Array.from({ length: 4 }, () => deals.batchRead(PORTAL_ID, [dealId], ['dealname'])),
    );
    await Promise.all(reads);

    const starts = hubspot.requests.map((request) => request.at.getTime()).sort((a, b) => a - b);
    expect(starts).toHaveLength(12);
    expect(hubspot.requests.every((request) => request.status === 200)).toBe(true);
    for (const at of starts) {
      const inWindow = starts.filter((other) => other > at - ARRIVAL_WINDOW_MS && other <= at).length;
      expect(inWindow).toBeLessThanOrEqual(LIMIT.max);
    }
  });
});
