import { SAMPLE_PORTAL_ID, startTestService, type TestService } from '../../support/service-harness';
import {
  addDeal,
  projectDeals,
  sweep,
  SWEEP_INTERVAL_MS,
  TASK_BATCH_CREATE_PATH,
} from './support/reminder-fixtures';

/**
 * HubSpot allows about 100–190 requests per 10 s per portal: a sweep that reminds a thousand deals must
 * cost a handful of calls, not a thousand. The sample portal's own six deals are left out (not projected).
 */
const REMINDERS = 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const SLOW_TEST_TIMEOUT_MS = 180_000;

describe('a sweep with a thousand reminders due', () => {
  let service: TestService;
  let dealIds: string[];

  beforeAll(async () => {
    service = await startTestService({ database: 'sqlite' });
    const enteredAt = new Date(service.clock.now().getTime() - 30 * DAY_MS);
    const owners = [service.sample.owners.rep, service.sample.owners.secondRep];
    dealIds = Array.from({ length: REMINDERS }, (_, index) =>
      addDeal(service, {
        name: `Stalled deal ${index}`,
        stageId: 'qualifiedtobuy',
        enteredAt,
        ownerId: owners[index % owners.length]!.ownerId,
      }),
    );
    await projectDeals(service, dealIds);
  }, SLOW_TEST_TIMEOUT_MS);
  afterAll(async () => {
    await service.stop();
  });

  it(
    'creates every task in batches of 100, with eleven HubSpot calls in all',
    async () => {
      const before = service.hubspot.requests.length;

      const report = await sweep(service);

      const calls = service.hubspot.requests.slice(before);
      const created = service.hubspot.state.listTasks(SAMPLE_PORTAL_ID);
      expect(report.rows.filter((row) => row.action === 'created')).toHaveLength(REMINDERS);
      expect(new Set(created.flatMap((task) => task.dealIds))).toEqual(new Set(dealIds));
      expect(calls.filter((call) => call.path === TASK_BATCH_CREATE_PATH)).toHaveLength(REMINDERS / 100);
      // Measured: 10 batch creates and one pipelines read (stage labels, cached) — 11 calls per 1,000
      // reminders. No manager is named, so the owners (escalation routing) are never read.
      expect(calls.length).toBe(11);
    },
    SLOW_TEST_TIMEOUT_MS,
  );

  it(
    'a second sweep over the same thousand stalled deals calls HubSpot for nothing but, at most, its caches',
    async () => {
      service.clock.advanceMs(SWEEP_INTERVAL_MS);
      const before = service.hubspot.requests.length;

      await sweep(service);

      const calls = service.hubspot.requests.slice(before);
      expect(calls.filter((call) => call.method !== 'GET')).toEqual([]);
      expect(service.hubspot.state.listTasks(SAMPLE_PORTAL_ID)).toHaveLength(REMINDERS);
    },
    SLOW_TEST_TIMEOUT_MS,
  );
});
