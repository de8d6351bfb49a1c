import {
  SAMPLE_PORTAL_ID,
  stageChangeEvent,
  startTestService,
  type TestService,
} from '../../support/service-harness';
import { DATABASES } from '../../support/test-databases';
import { withQualificationTitle } from './playbook-builders';

const MINUTE_MS = 60_000;

/**
 * A deal is judged by the playbook version in force when it entered its current stage, so a publish
 * never changes the rules under a rep's feet mid-stage, unless the manager says "apply to deals in
 * progress".
 */
describe.each(DATABASES)('playbook version pinning (%s)', (database) => {
  let t: TestService;
  let managerId: string;

  beforeEach(async () => {
    t = await startTestService({ database });
    managerId = t.sample.owners.manager.userId;
  });
  afterEach(async () => {
    await t.stop();
  });

  async function stepOf(dealId: string) {
    const response = await t.cardRequest('GET', `/api/v1/deals/${dealId}/guidance`);
    expect(response.status).toBe(200);
    return response.body.step as { title: string; playbookVersion: number };
  }

  async function publish(title: string, options: { applyToDealsInProgress?: boolean } = {}) {
    const response = await t.cardRequest('PUT', '/api/v1/playbook', {
      userId: managerId,
      body: { ...withQualificationTitle(title), ...options },
    });
    expect(response.status).toBe(200);
    return response.body;
  }

  it('a deal mid-stage keeps its version after a publish; a deal entering a stage gets the new one', async () => {
    const { stalledQualified, readyQualified } = t.sample.deals;
    expect(await stepOf(stalledQualified)).toMatchObject({ playbookVersion: 1 });
    expect(await stepOf(readyQualified)).toMatchObject({ playbookVersion: 1 });

    const published = await publish('Qualification, version 2');
    expect(published.dealsRepinned).toBe(0);

    const kept = await stepOf(stalledQualified);
    expect(kept.playbookVersion).toBe(1);
    expect(kept.title).toBe('Qualification and needs assessment');

    // readyQualified goes back to appointment, then re-enters qualification under version 2.
    const movedAt = new Date(t.clock.now().getTime() - 10 * MINUTE_MS);
    t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, readyQualified, 'appointmentscheduled', movedAt);
    const reenteredAt = new Date(movedAt.getTime() + MINUTE_MS);
    t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, readyQualified, 'qualifiedtobuy', reenteredAt);
    expect(
      (await t.sendWebhook([stageChangeEvent(readyQualified, 'qualifiedtobuy', reenteredAt)])).status,
    ).toBe(200);
    await t.drainInbox();

    expect(await stepOf(readyQualified)).toEqual(
      expect.objectContaining({ playbookVersion: 2, title: 'Qualification, version 2' }),
    );
    expect((await stepOf(stalledQualified)).playbookVersion).toBe(1);
  });

  it('"apply to deals in progress" re-pins every live deal to the new version', async () => {
    const dealIds = Object.values(t.sample.deals);
    for (const dealId of dealIds) await stepOf(dealId);

    const published = await publish('Qualification, for everyone', { applyToDealsInProgress: true });

    expect(published.version).toBe(2);
    expect(published.dealsRepinned).toBe(dealIds.length);
    expect(await stepOf(t.sample.deals.stalledQualified)).toEqual(
      expect.objectContaining({ playbookVersion: 2, title: 'Qualification, for everyone' }),
    );
    const pinned = await t.running.services.store.deals.getDeals(SAMPLE_PORTAL_ID, dealIds);
    expect(new Set(pinned.map((deal) => deal.playbookVersion))).toEqual(new Set([2]));
  });

  it('a rollback published with "apply to deals in progress" puts deals back on the old rules', async () => {
    await stepOf(t.sample.deals.stalledQualified);
    await publish('Qualification, version 2', { applyToDealsInProgress: true });

    const restored = await t.cardRequest('POST', '/api/v1/playbook/versions/1/restore', {
      userId: managerId,
      body: { applyToDealsInProgress: true, note: 'Back to the default' },
    });

    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ version: 3, note: 'Back to the default', dealsRepinned: 1 });
    expect(await stepOf(t.sample.deals.stalledQualified)).toEqual(
      expect.objectContaining({ playbookVersion: 3, title: 'Qualification and needs assessment' }),
    );
  });
});
