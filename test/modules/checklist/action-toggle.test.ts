import { startTestService, type TestService } from '../../support/service-harness';
import { DATABASES } from '../../support/test-databases';
import {
  actionPath,
  countHubSpotCalls,
  DEALS_BATCH_UPDATE,
  minutesAfter,
} from '../../support/deal-card-api.helpers';

/**
 * A rep ticks a checklist action on the card: the service records who and when, answers the deal's
 * recomputed guidance, and keeps the trail append-only (an untick is a new entry).
 */
describe.each(DATABASES)('ticking checklist actions on a deal (%s)', (database) => {
  let t: TestService;

  beforeEach(async () => {
    t = await startTestService({ database, secondPortal: true });
  });
  afterEach(async () => {
    await t.stop();
  });

  it('ticks an action as the signed user and answers the recomputed guidance', async () => {
    const dealId = t.sample.deals.stalledQualified;
    const before = await t.cardRequest('GET', `/api/v1/deals/${dealId}/guidance`);

    const response = await t.cardRequest('POST', actionPath(dealId, 'discovery-call'), {
      userId: '4242',
      userEmail: 'riley.rep@example.com',
      body: { done: true, note: 'Met the CFO' },
    });

    expect(response.status).toBe(200);
    const action = response.body.actions.find((a: { id: string }) => a.id === 'discovery-call');
    expect(action).toMatchObject({
      done: true,
      doneBy: { userId: '4242', email: 'riley.rep@example.com' },
      doneAt: t.clock.now().toISOString(),
    });
    expect(response.body.progress.done).toBe(before.body.progress.done + 1);
    expect(response.body.blockers).not.toContain('Not done: Hold a discovery call');
  });

  it('unticking keeps both entries in the audit trail and the guidance shows the latest', async () => {
    const dealId = t.sample.deals.stalledQualified;
    const tickedAt = t.clock.now();
    await t.cardRequest('POST', actionPath(dealId, 'discovery-call'), { body: { done: true } });
    t.clock.set(minutesAfter(tickedAt, 5));

    const undone = await t.cardRequest('POST', actionPath(dealId, 'discovery-call'), {
      userId: '202',
      userEmail: 'sam@example.com',
      body: { done: false, note: 'Ticked by mistake' },
    });

    expect(undone.status).toBe(200);
    expect(undone.body.actions.find((a: { id: string }) => a.id === 'discovery-call')).toMatchObject({
      done: false,
      doneBy: null,
      doneAt: null,
    });
    const guidance = await t.cardRequest('GET', `/api/v1/deals/${dealId}/guidance`);
    expect(guidance.body.actions.find((a: { id: string }) => a.id === 'discovery-call').done).toBe(false);

    const audit = await t.cardRequest('GET', `/api/v1/deals/${dealId}/audit`);
    const toggles = audit.body.entries.filter((entry: { type: string }) => entry.type === 'action');
    // Newest first.
    expect(toggles).toEqual([
      expect.objectContaining({
        actionId: 'discovery-call',
        done: false,
        userId: '202',
        userEmail: 'sam@example.com',
        note: 'Ticked by mistake',
        at: minutesAfter(tickedAt, 5).toISOString(),
      }),
      expect.objectContaining({
        actionId: 'discovery-call',
        stepId: 'qualification',
        done: true,
        userId: '101',
        userEmail: 'rep@example.com',
        note: null,
        at: tickedAt.toISOString(),
      }),
    ]);
  });

  it('a repeated tick (a retry, a double click) adds nothing to the trail', async () => {
    const dealId = t.sample.deals.stalledQualified;
    await t.cardRequest('POST', actionPath(dealId, 'confirm-budget'), { body: { done: true } });
    const again = await t.cardRequest('POST', actionPath(dealId, 'confirm-budget'), { body: { done: true } });

    expect(again.status).toBe(200);
    const audit = await t.cardRequest('GET', `/api/v1/deals/${dealId}/audit`);
    expect(audit.body.entries.filter((entry: { type: string }) => entry.type === 'action')).toHaveLength(1);
  });

  it('answers without waiting for HubSpot: the write-back happens in the background', async () => {
    const dealId = t.sample.deals.stalledQualified;
    const response = await t.cardRequest('POST', actionPath(dealId, 'discovery-call'), {
      body: { done: true },
    });

    expect(response.status).toBe(200);
    expect(countHubSpotCalls(t.hubspot, 'POST', DEALS_BATCH_UPDATE)).toBe(0);
    expect(await t.running.services.store.writebacks.listPendingWritebacks({ limit: 10 })).toEqual([
      expect.objectContaining({ portalId: t.sample.portalId, dealId }),
    ]);
  });

  it('answers 404 for an action in no step of the playbook', async () => {
    const response = await t.cardRequest('POST', actionPath(t.sample.deals.stalledQualified, 'shake-hands'), {
      body: { done: true },
    });

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
  });

  it("answers 409 for an action of another step than the deal's current one", async () => {
    // research-account belongs to prospecting; the deal is in qualifiedtobuy (qualification).
    const response = await t.cardRequest(
      'POST',
      actionPath(t.sample.deals.stalledQualified, 'research-account'),
      { body: { done: true } },
    );

    expect(response.status).toBe(409);
    expect(response.body.error).toMatchObject({
      code: 'CONFLICT',
      details: { actionStepIds: ['prospecting'], currentStepId: 'qualification' },
    });
  });

  it.each([
    ['no body', undefined, '(body)'],
    ['an empty object', {}, 'done'],
    ['done as a string', { done: 'yes' }, 'done'],
    ['a note over 1000 characters', { done: true, note: 'x'.repeat(1001) }, 'note'],
  ])('answers 400 naming the field for %s', async (_case, body, field) => {
    const response = await t.cardRequest(
      'POST',
      actionPath(t.sample.deals.stalledQualified, 'discovery-call'),
      {
        ...(body === undefined ? {} : { body }),
      },
    );

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('BAD_REQUEST');
    expect(response.body.error.details.issues.map((issue: { path: string }) => issue.path)).toContain(field);
  });

  it("a portal cannot tick another portal's deal, and nothing is recorded", async () => {
    const dealOfA = t.sample.deals.stalledQualified;
    const response = await t.cardRequest('POST', actionPath(dealOfA, 'discovery-call'), {
      portalId: t.secondSample!.portalId,
      body: { done: true },
    });

    expect(response.status).toBe(404);
    const audit = await t.cardRequest('GET', `/api/v1/deals/${dealOfA}/audit`);
    expect(audit.body.entries.filter((entry: { type: string }) => entry.type === 'action')).toEqual([]);
    const fromB = await t.cardRequest('GET', `/api/v1/deals/${dealOfA}/audit`, {
      portalId: t.secondSample!.portalId,
    });
    expect(fromB.status).toBe(404);
  });
});
