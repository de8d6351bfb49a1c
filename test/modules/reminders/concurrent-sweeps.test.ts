import { parseConfig } from '../../../src/platform/config/env.schema';
import { startService, type RunningService } from '../../../src/app/compose';
import { silentLogger } from '../../../src/platform/observability/logger';
import { SWEEP_LOCK_NAME, type SweepReport } from '../../../src/modules/reminders/stall-sweep.service';
import {
  SAMPLE_PORTAL_ID,
  SAMPLE_TOKEN,
  startTestService,
  TEST_CLIENT_SECRET,
  TEST_PUBLIC_BASE_URL,
  type TestService,
} from '../../support/service-harness';
import { addDeal, projectDeals, projectSampleDeals, SWEEP_INTERVAL_MS } from './support/reminder-fixtures';

const DAY_MS = 24 * 60 * 60 * 1000;
/** More than one batch of HubSpot's 100, so that two sweepers would have room to interleave. */
const EXTRA_STALLED_DEALS = 140;

async function addStalledDeals(service: TestService, count: number): Promise<string[]> {
  const enteredAt = new Date(service.clock.now().getTime() - 30 * DAY_MS);
  const ids = Array.from({ length: count }, (_, index) =>
    addDeal(service, {
      name: `Stalled deal ${index}`,
      stageId: 'qualifiedtobuy',
      enteredAt,
      ownerId: service.sample.owners.rep.ownerId,
    }),
  );
  await projectDeals(service, ids);
  return ids;
}

/** A second instance of the service on the same database and the same HubSpot, as behind a load balancer. */
async function startSecondInstance(first: TestService): Promise<RunningService> {
  const config = parseConfig({
    PORT: '0',
    DATABASE_URL: first.databaseUrl,
    HUBSPOT_CLIENT_SECRET: TEST_CLIENT_SECRET,
    HUBSPOT_ACCESS_TOKEN: SAMPLE_TOKEN,
    HUBSPOT_API_BASE_URL: first.hubspot.url,
    PUBLIC_BASE_URL: TEST_PUBLIC_BASE_URL,
    SWEEP_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'silent',
  });
  return startService(config, {
    clock: first.clock,
    logger: silentLogger,
    workers: false,
    hubspot: { sleep: async () => undefined, timeoutMs: 2000 },
  });
}

function expectExactlyOneTaskPerStalledDeal(service: TestService, dealIds: readonly string[]) {
  const tasksPerDeal = new Map<string, number>();
  for (const task of service.hubspot.state.listTasks(SAMPLE_PORTAL_ID)) {
    for (const dealId of task.dealIds) tasksPerDeal.set(dealId, (tasksPerDeal.get(dealId) ?? 0) + 1);
  }
  expect(dealIds.filter((dealId) => tasksPerDeal.get(dealId) !== 1)).toEqual([]);
}

const createdCount = (reports: SweepReport[]) =>
  reports.flatMap((report) => report.rows).filter((row) => row.action === 'created').length;

describe('two service instances sweeping one PostgreSQL database at once', () => {
  let first: TestService;
  let second: RunningService;
  let stalled: string[];

  beforeAll(async () => {
    first = await startTestService({ database: 'postgres' });
    await projectSampleDeals(first);
    stalled = [
      first.sample.deals.stalledQualified,
      first.sample.deals.contractSent,
      first.sample.deals.closedWon,
      ...(await addStalledDeals(first, EXTRA_STALLED_DEALS)),
    ];
    second = await startSecondInstance(first);
  });
  afterAll(async () => {
    await second.stop();
    await first.stop();
  });

  it('while one instance sweeps, the other finds the sweep lock taken and does nothing', async () => {
    const held = await first.running.services.store.withExclusiveLock(SWEEP_LOCK_NAME, () =>
      second.services.reminders.sweep({ now: first.clock.now() }),
    );

    expect(held).toEqual({ acquired: true, value: expect.objectContaining({ ran: false, rows: [] }) });
    expect(first.hubspot.state.listTasks(SAMPLE_PORTAL_ID)).toHaveLength(0);
  });

  it('sweeps started together on both instances, again and again, send each reminder exactly once', async () => {
    const reports: SweepReport[] = [];
    for (let round = 0; round < 3; round += 1) {
      const now = first.clock.now();
      reports.push(
        ...(await Promise.all([
          first.running.services.reminders.sweep({ now }),
          second.services.reminders.sweep({ now }),
          first.running.services.reminders.sweep({ now }),
        ])),
      );
      first.clock.advanceMs(SWEEP_INTERVAL_MS);
    }

    expectExactlyOneTaskPerStalledDeal(first, stalled);
    expect(createdCount(reports)).toBe(stalled.length);
  });
});

describe('two sweeps at once on SQLite (no lock between them: the reminder keys alone decide)', () => {
  let service: TestService;
  afterAll(async () => {
    await service.stop();
  });

  it('send each reminder exactly once', async () => {
    service = await startTestService({ database: 'sqlite' });
    await projectSampleDeals(service);
    const stalled = [
      service.sample.deals.stalledQualified,
      service.sample.deals.contractSent,
      service.sample.deals.closedWon,
      ...(await addStalledDeals(service, EXTRA_STALLED_DEALS)),
    ];

    const now = service.clock.now();
    const reports = await Promise.all(
      Array.from({ length: 3 }, () => service.running.services.reminders.sweep({ now })),
    );

    expect(reports.every((report) => report.ran)).toBe(true);
    expectExactlyOneTaskPerStalledDeal(service, stalled);
    expect(createdCount(reports)).toBe(stalled.length);
  });
});
