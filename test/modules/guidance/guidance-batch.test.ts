import {
  SAMPLE_PORTAL_ID,
  REP_USER_ID,
  startTestService,
  type TestService,
} from '../../support/service-harness';
import { actionPath } from '../../support/deal-card-api.helpers';
import { DATABASES } from '../../support/test-databases';
import {
  addSkippedQualificationMove,
  buildGovernedPlaybook,
  HOUR_MS,
  publishPlaybook,
} from '../exceptions/support/exception-fixtures';
import { projectSampleDeals } from '../reminders/support/reminder-fixtures';

/**
 * The write-back reads the guidance of a flush's deals together (listGuidance). It must judge each deal
 * exactly as the card does (getGuidance): same checklist, snooze, exceptions and pinned playbook.
 */
describe.each(DATABASES)('the guidance of many deals read together (%s)', (database) => {
  let service: TestService;
  beforeEach(async () => {
    service = await startTestService({ database });
    await publishPlaybook(service, buildGovernedPlaybook());
    await projectSampleDeals(service);
  });
  afterEach(() => service.stop());

  it("equals each deal's own guidance: ticked actions, a snooze, an open exception", async () => {
    const { stalledQualified, readyQualified } = service.sample.deals;
    const ticked = await service.cardRequest('POST', actionPath(readyQualified, 'discovery-call'), {
      body: { done: true },
      userId: REP_USER_ID,
    });
    expect(ticked.status).toBe(200);
    const until = new Date(service.clock.now().getTime() + 48 * HOUR_MS);
    const snoozed = await service.cardRequest('POST', `/api/v1/deals/${stalledQualified}/snooze`, {
      body: { until: until.toISOString(), reason: 'Buyer on holiday' },
      userId: REP_USER_ID,
    });
    expect(snoozed.status).toBe(200);
    const { dealId: skipped } = await addSkippedQualificationMove(service);
    const unknown = '987654321';
    const dealIds = [...Object.values(service.sample.deals), skipped, unknown];

    const { guidance } = service.running.services;
    const now = service.clock.now();
    const together = await guidance.listGuidance(SAMPLE_PORTAL_ID, dealIds, now);

    // The deal the projection lacks is left to getGuidance; every projected one is there.
    expect([...together.keys()].sort()).toEqual(dealIds.filter((id) => id !== unknown).sort());
    for (const dealId of together.keys()) {
      expect(together.get(dealId)).toEqual(await guidance.getGuidance(SAMPLE_PORTAL_ID, dealId, now));
    }
    // The cases above are in the answers, not only in the database.
    expect(together.get(skipped)!.exceptions).toEqual([expect.objectContaining({ status: 'open' })]);
    expect(together.get(stalledQualified)!.stall).toMatchObject({ snoozedUntil: until.toISOString() });
    expect(JSON.stringify(together.get(readyQualified))).toContain('"done":true');
  });

  it('leaves out every deal of a portal the app is not installed in', async () => {
    const { guidance } = service.running.services;
    const views = await guidance.listGuidance(
      SAMPLE_PORTAL_ID + 1,
      Object.values(service.sample.deals),
      service.clock.now(),
    );
    expect(views.size).toBe(0);
  });
});
