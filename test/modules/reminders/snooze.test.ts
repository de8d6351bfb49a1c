import { DATABASES } from '../../support/test-databases';
import {
  REP_USER_ID,
  SAMPLE_PORTAL_ID,
  startTestService,
  type TestService,
} from '../../support/service-harness';
import { projectSampleDeals, sweep, tasksOfDeal } from './support/reminder-fixtures';

const DAY_MS = 24 * 60 * 60 * 1000;

describe.each(DATABASES)('snoozing a stalled deal (%s)', (database) => {
  let service: TestService;
  let dealId: string;

  beforeAll(async () => {
    service = await startTestService({ database });
    await projectSampleDeals(service);
    dealId = service.sample.deals.stalledQualified;
  });
  afterAll(async () => {
    await service.stop();
  });

  const snooze = (body: unknown) =>
    service.cardRequest('POST', `/api/v1/deals/${dealId}/snooze`, { body, userId: REP_USER_ID });

  it('refuses a snooze that ends in the past, naming the field', async () => {
    const response = await snooze({
      until: new Date(service.clock.now().getTime() - 60_000).toISOString(),
      reason: 'Waiting on legal',
    });

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('BAD_REQUEST');
    expect(response.body.error.message).toContain('until');
  });

  it('refuses a snooze without a reason', async () => {
    const until = new Date(service.clock.now().getTime() + 3 * DAY_MS).toISOString();

    for (const body of [{ until }, { until, reason: '   ' }]) {
      const response = await snooze(body);
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain('reason');
    }
  });

  it('answers the guidance with the stall silenced, and keeps who snoozed it, why and until when', async () => {
    const until = new Date(service.clock.now().getTime() + 3 * DAY_MS);

    const response = await snooze({ until: until.toISOString(), reason: 'Buyer is on holiday until Monday' });

    expect(response.status).toBe(200);
    expect(response.body.dealId).toBe(dealId);
    expect(response.body.stall).toMatchObject({ stalled: false, snoozedUntil: until.toISOString() });
    const history = await service.running.services.store.snoozes.listSnoozesForDeal(SAMPLE_PORTAL_ID, dealId);
    expect(history).toEqual([
      expect.objectContaining({
        userId: REP_USER_ID,
        reason: 'Buyer is on holiday until Monday',
        until,
        stageEnteredAt: new Date(response.body.stage.enteredAt),
      }),
    ]);
  });

  it('the sweep leaves a snoozed deal alone while reminding the others', async () => {
    const report = await sweep(service);

    expect(tasksOfDeal(service, dealId)).toHaveLength(0);
    expect(tasksOfDeal(service, service.sample.deals.contractSent)).toHaveLength(1);
    expect(report.snoozed).toBe(1);
  });

  it('once the snooze has run out, the still-stalled deal is reminded, once', async () => {
    service.clock.advanceMs(3 * DAY_MS + 60_000);
    await sweep(service);
    await sweep(service);

    expect(tasksOfDeal(service, dealId)).toHaveLength(1);
  });
});
