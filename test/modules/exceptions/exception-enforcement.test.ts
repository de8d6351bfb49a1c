import { DATABASES } from '../../support/test-databases';
import { SAMPLE_PORTAL_ID, startTestService, type TestService } from '../../support/service-harness';
import {
  addProjectedDeal,
  buildGovernedPlaybook,
  deliver,
  exceptionsOf,
  HOUR_MS,
  moveDeal,
  moveEvent,
  publishPlaybook,
} from './support/exception-fixtures';

const DEAL_BATCH_UPDATE_PATH = '/crm/v3/objects/deals/batch/update';
/** How HubSpot reports the app's own API write in a webhook: the writing app's id as the source. */
const OWN_WRITE = { changeSource: 'INTEGRATION', sourceId: '54321' };

describe.each(DATABASES)('approve, reject and revert (%s)', (database) => {
  let service: TestService;
  beforeEach(async () => {
    service = await startTestService({ database });
    await publishPlaybook(service, buildGovernedPlaybook());
  });
  afterEach(async () => {
    await service.stop();
  });

  const later = (ms: number) => new Date(service.clock.now().getTime() + ms);
  const stageUpdates = (dealId: string) =>
    service.hubspot.state.apiStageUpdates
      .filter((update) => update.dealId === dealId)
      .map((update) => [update.fromStage, update.toStage]);
  const stageInHubSpot = async (dealId: string) =>
    (await service.running.services.hubspot.deals.batchRead(SAMPLE_PORTAL_ID, [dealId], ['dealstage']))
      .deals[0]?.properties.dealstage;
  const tasksOfDeal = (dealId: string) =>
    service.hubspot.state.listTasks(SAMPLE_PORTAL_ID).filter((task) => task.dealIds.includes(dealId));
  const runDue = () => service.running.services.exceptionResponses.runDue(service.clock.now());
  const decide = (id: string, body: unknown, userId = service.sample.owners.manager.userId) =>
    service.cardRequest('POST', `/api/v1/exceptions/${id}/decision`, { userId, body });

  /** A deal that skipped the demo: an `approve` exception. */
  async function skippedDemo() {
    const dealId = await addProjectedDeal(service, {
      stageId: 'presentationscheduled',
      enteredAt: later(-48 * HOUR_MS),
    });
    const movedAt = later(HOUR_MS);
    await moveDeal(service, dealId, 'decisionmakerboughtin', movedAt);
    const [exception] = await exceptionsOf(service, dealId);
    if (exception?.mode !== 'approve') throw new Error('expected an approve exception');
    service.clock.set(later(2 * HOUR_MS));
    return { dealId, exceptionId: exception.id, movedAt };
  }

  it('a manager approves: the exception is settled and the deal stays where it is', async () => {
    const { dealId, exceptionId } = await skippedDemo();

    const answer = await decide(exceptionId, { decision: 'approve', note: 'Demo done at their office' });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'approved',
      decision: {
        userId: service.sample.owners.manager.userId,
        decision: 'approve',
        note: 'Demo done at their office',
      },
    });
    expect(stageUpdates(dealId)).toEqual([]);
  });

  it("a manager rejects: the deal goes back once, and the app's own move coming back as a webhook creates nothing", async () => {
    const { dealId, exceptionId } = await skippedDemo();

    const answer = await decide(exceptionId, { decision: 'reject' });

    expect(answer.body.status).toBe('rejected');
    expect(stageUpdates(dealId)).toEqual([['decisionmakerboughtin', 'presentationscheduled']]);
    await deliver(service, [
      moveEvent(service, dealId, 'presentationscheduled', service.clock.now(), OWN_WRITE),
    ]);
    await runDue();
    expect(stageUpdates(dealId)).toHaveLength(1);
    expect((await exceptionsOf(service, dealId)).map((exception) => exception.status)).toEqual(['rejected']);
  });

  it('only managers decide (403), only on an open approve exception (409)', async () => {
    const { exceptionId } = await skippedDemo();
    const justifyDeal = await addProjectedDeal(service, {
      stageId: 'qualifiedtobuy',
      enteredAt: later(-48 * HOUR_MS),
    });
    await moveDeal(service, justifyDeal, 'presentationscheduled', later(HOUR_MS));
    const [justifyException] = await exceptionsOf(service, justifyDeal);

    const byRep = await decide(exceptionId, { decision: 'reject' }, service.sample.owners.rep.userId);
    const wrongMode = await decide(justifyException?.id ?? '', { decision: 'approve' });
    const first = await decide(exceptionId, { decision: 'approve' });
    const again = await decide(exceptionId, { decision: 'reject' });
    const badBody = await decide(exceptionId, { decision: 'maybe' });

    expect([byRep.status, wrongMode.status, first.status, again.status, badBody.status]).toEqual([
      403, 409, 200, 409, 400,
    ]);
  });

  it('HubSpot answering 429 then 500 to the move back: retried, and the deal moves once', async () => {
    const { dealId, exceptionId } = await skippedDemo();
    service.hubspot.inject({ method: 'POST', path: DEAL_BATCH_UPDATE_PATH, status: 429, times: 1 });
    service.hubspot.inject({ method: 'POST', path: DEAL_BATCH_UPDATE_PATH, status: 500, times: 1, skip: 1 });

    await decide(exceptionId, { decision: 'reject' });

    expect(stageUpdates(dealId)).toEqual([['decisionmakerboughtin', 'presentationscheduled']]);
  });

  it('a move back whose answer was lost (500 after the write) is never sent twice', async () => {
    const { dealId, exceptionId } = await skippedDemo();
    service.hubspot.inject({
      method: 'POST',
      path: DEAL_BATCH_UPDATE_PATH,
      status: 500,
      afterResponse: true,
      times: 10,
    });

    await decide(exceptionId, { decision: 'reject' });
    service.hubspot.clearFaults();
    await runDue();
    await runDue();

    expect(stageUpdates(dealId)).toEqual([['decisionmakerboughtin', 'presentationscheduled']]);
    expect(await stageInHubSpot(dealId)).toBe('presentationscheduled');
  });

  it('a move back HubSpot keeps refusing is sent by a later run, once', async () => {
    const { dealId, exceptionId } = await skippedDemo();
    service.hubspot.inject({ method: 'POST', path: DEAL_BATCH_UPDATE_PATH, status: 503, times: 10 });

    expect((await decide(exceptionId, { decision: 'reject' })).body.status).toBe('rejected');
    expect(stageUpdates(dealId)).toEqual([]);
    service.hubspot.clearFaults();
    await runDue();
    await runDue();

    expect(stageUpdates(dealId)).toEqual([['decisionmakerboughtin', 'presentationscheduled']]);
  });

  it('revert: the deal goes back at once, and its owner gets one task listing what is missing', async () => {
    const dealId = await addProjectedDeal(service, {
      stageId: 'appointmentscheduled',
      enteredAt: later(-48 * HOUR_MS),
    });
    await moveDeal(service, dealId, 'qualifiedtobuy', later(HOUR_MS));

    await runDue();
    await deliver(service, [
      moveEvent(service, dealId, 'appointmentscheduled', service.clock.now(), OWN_WRITE),
    ]);
    await runDue();

    expect(stageUpdates(dealId)).toEqual([['qualifiedtobuy', 'appointmentscheduled']]);
    expect(
      (await exceptionsOf(service, dealId)).map((exception) => [exception.mode, exception.status]),
    ).toEqual([['revert', 'reverted']]);
    const tasks = tasksOfDeal(dealId);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.properties.hubspot_owner_id).toBe(service.sample.owners.rep.ownerId);
    expect(tasks[0]?.properties.hs_task_body).toContain('Book the first meeting');
  });

  it('revert never takes a deal out of closed won: that waits for a manager', async () => {
    const dealId = await addProjectedDeal(service, {
      stageId: 'appointmentscheduled',
      enteredAt: later(-48 * HOUR_MS),
    });
    await moveDeal(service, dealId, 'closedwon', later(HOUR_MS));

    await runDue();

    expect(
      (await exceptionsOf(service, dealId)).map((exception) => [exception.mode, exception.status]),
    ).toEqual([['approve', 'open']]);
    expect(stageUpdates(dealId)).toEqual([]);
  });

  it('a deal that moved on again before the revert ran is left where it is', async () => {
    const dealId = await addProjectedDeal(service, {
      stageId: 'appointmentscheduled',
      enteredAt: later(-48 * HOUR_MS),
    });
    await moveDeal(service, dealId, 'qualifiedtobuy', later(HOUR_MS));
    service.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, 'closedlost', later(2 * HOUR_MS));

    const report = await runDue();

    expect(report.cancelled).toBe(1);
    expect(stageUpdates(dealId)).toEqual([]);
    expect(await stageInHubSpot(dealId)).toBe('closedlost');
  });
});
