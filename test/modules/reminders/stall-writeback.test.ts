import { SAMPLE_PORTAL_ID, startTestService, type TestService } from '../../support/service-harness';
import { DATABASES } from '../../support/test-databases';
import { addDeal, projectDeals, sweep } from './support/reminder-fixtures';

/**
 * HubSpot's sop_guide_stalled follows time passing, not only events: a deal that stalls while nobody
 * touches it is marked for the write-back by the sweep, once, and only when its verdict changed.
 */
describe.each(DATABASES)('the sweep keeps sop_guide_stalled current (%s)', (database) => {
  let service: TestService;
  let dealId: string;

  const services = () => service.running.services;
  const pendingDealIds = async () =>
    (await services().store.writebacks.listPendingWritebacks({ portalId: SAMPLE_PORTAL_ID, limit: 100 })).map(
      (pending) => pending.dealId,
    );
  const stalledInHubSpot = () =>
    service.hubspot.state.portal(SAMPLE_PORTAL_ID).objects.deals.get(dealId)!.properties.sop_guide_stalled;

  beforeEach(async () => {
    // Thursday 26 November, 15:00 in New York: the deal has 9 of its 10 business days in qualification.
    service = await startTestService({ database, now: new Date('2026-11-26T20:00:00.000Z') });
    dealId = addDeal(service, {
      name: 'Quiet deal',
      stageId: 'qualifiedtobuy',
      enteredAt: new Date('2026-11-16T17:00:00.000Z'),
      ownerId: service.sample.owners.rep.ownerId,
      lastActivityAt: new Date('2026-11-25T12:00:00.000Z'),
    });
    await projectDeals(service, [dealId]);
    await services().writeback.markDealsChanged(SAMPLE_PORTAL_ID, [dealId], service.clock.now());
    await services().writeback.flush(service.clock.now());
  });
  afterEach(async () => {
    await service.stop();
  });

  it('a deal that stalls with time alone is marked by the sweep, written, and not marked again', async () => {
    expect(stalledInHubSpot()).toBe('false');
    await sweep(service);
    expect(await pendingDealIds()).not.toContain(dealId);

    // Monday 30 November: the tenth business day, and no event happened.
    service.clock.set(new Date('2026-11-30T20:00:00.000Z'));
    await sweep(service);
    expect(await pendingDealIds()).toContain(dealId);
    await services().writeback.flush(service.clock.now());
    expect(stalledInHubSpot()).toBe('true');

    service.clock.set(new Date('2026-12-01T20:00:00.000Z'));
    await sweep(service);
    expect(await pendingDealIds()).not.toContain(dealId);
  });

  it('a dry run marks nothing', async () => {
    service.clock.set(new Date('2026-11-30T20:00:00.000Z'));
    const report = await sweep(service, { dryRun: true });
    expect(report.stalled).toBe(1);
    expect(await pendingDealIds()).toEqual([]);
  });
});
