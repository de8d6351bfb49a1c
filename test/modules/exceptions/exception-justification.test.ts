import { DATABASES } from '../../support/test-databases';
import { SAMPLE_PORTAL_ID, startTestService, type TestService } from '../../support/service-harness';
import {
  addProjectedDeal,
  buildGovernedPlaybook,
  exceptionsOf,
  HOUR_MS,
  moveDeal,
  publishPlaybook,
} from './support/exception-fixtures';

const TASK_BATCH_CREATE_PATH = '/crm/v3/objects/tasks/batch/create';
// The harness's clock starts Thursday 2026-11-26 10:00 in New York, the sample portal's zone; the move
// is at 11:00, so 8 business hours (09:00-17:00) end on Friday at 11:00 local, 16:00 UTC.
const MOVED_AT = new Date('2026-11-26T16:00:00.000Z');
const DEADLINE = new Date('2026-11-27T16:00:00.000Z');

describe.each(DATABASES)('justifying an exception (%s)', (database) => {
  let service: TestService;
  let dealId: string;
  let exceptionId: string;
  beforeEach(async () => {
    service = await startTestService({ database });
    const playbook = buildGovernedPlaybook();
    // The rep's team has a manager of its own: the overdue task goes to them.
    playbook.reminders = {
      teamManagers: {
        [await teamOf(service.sample.owners.rep.ownerId)]: service.sample.owners.manager.ownerId,
      },
    };
    await publishPlaybook(service, playbook);
    dealId = await addProjectedDeal(service, {
      stageId: 'qualifiedtobuy',
      enteredAt: new Date(MOVED_AT.getTime() - 72 * HOUR_MS),
    });
    await moveDeal(service, dealId, 'presentationscheduled', MOVED_AT);
    const [exception] = await exceptionsOf(service, dealId);
    if (!exception) throw new Error('the move left no exception');
    exceptionId = exception.id;
  });
  afterEach(async () => {
    await service.stop();
  });

  async function teamOf(ownerId: string) {
    const owners = await service.running.services.hubspot.owners.list(SAMPLE_PORTAL_ID);
    const team = owners.find((owner) => owner.id === ownerId)?.teams[0];
    if (!team) throw new Error(`owner ${ownerId} has no team`);
    return team.id;
  }
  const justify = (body: unknown, userId = service.sample.owners.rep.userId, id = exceptionId) =>
    service.cardRequest('POST', `/api/v1/exceptions/${id}/justification`, {
      userId,
      userEmail: 'riley.rep@example.com',
      body,
    });
  const tasksOfDeal = () =>
    service.hubspot.state.listTasks(SAMPLE_PORTAL_ID).filter((task) => task.dealIds.includes(dealId));
  const runDeadlines = (at: Date) => {
    service.clock.set(at);
    return service.running.services.exceptionResponses.runDue(at);
  };

  it("the owner's reason closes the exception, and the card shows it", async () => {
    const answer = await justify({ reason: 'Budget confirmed by phone; the call notes follow.' });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      id: exceptionId,
      status: 'justified',
      justification: {
        userId: service.sample.owners.rep.userId,
        email: 'riley.rep@example.com',
        reason: 'Budget confirmed by phone; the call notes follow.',
      },
    });
    const guidance = await service.cardRequest('GET', `/api/v1/deals/${dealId}/guidance`);
    expect(guidance.body.exceptions.map((exception: any) => exception.status)).toEqual(['justified']);
  });

  it('the sop_guide_open_exceptions property counts the open exception, and drops once justified', async () => {
    const written = async () => {
      await service.running.services.writeback.flush(service.clock.now());
      return service.hubspot.state.portal(SAMPLE_PORTAL_ID).objects.deals.get(dealId)?.properties
        .sop_guide_open_exceptions;
    };
    expect(await written()).toBe('1');

    await justify({ reason: 'Budget confirmed by phone' });

    expect(await written()).toBe('0');
  });

  it('only the owner may justify, once, with a reason, an exception that asks for one', async () => {
    const byOtherRep = await justify({ reason: 'Not mine' }, service.sample.owners.secondRep.userId);
    const empty = await justify({ reason: '  ' });
    const unknown = await justify({ reason: 'Who?' }, undefined, 'nosuchexception');
    const first = await justify({ reason: 'Done by phone' });
    const again = await justify({ reason: 'Done by phone, again' });

    expect([byOtherRep.status, empty.status, unknown.status, first.status, again.status]).toEqual([
      403, 400, 404, 200, 409,
    ]);
    expect(empty.body.error.message).toContain('reason');
  });

  it('an exception of another mode takes no justification (409)', async () => {
    await moveDeal(service, dealId, 'decisionmakerboughtin', new Date(MOVED_AT.getTime() + HOUR_MS));
    const [approval] = await exceptionsOf(service, dealId);

    const answer = await justify({ reason: 'Demo done offline' }, undefined, approval?.id);

    expect(approval?.mode).toBe('approve');
    expect(answer.status).toBe(409);
  });

  it("past the deadline with no reason, the owner's manager gets one task, however often the job runs", async () => {
    const early = await runDeadlines(new Date(DEADLINE.getTime() - 60_000));
    expect(early.tasksCreated).toBe(0);

    await runDeadlines(DEADLINE);
    await runDeadlines(new Date(DEADLINE.getTime() + HOUR_MS));

    const tasks = tasksOfDeal();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.properties.hubspot_owner_id).toBe(service.sample.owners.manager.ownerId);
    expect(tasks[0]?.properties.hs_task_subject).toContain('SOP exception not justified');
    expect(tasks[0]?.properties.hs_task_body).toContain('Hold a discovery call');
  });

  it('two runs at once (the job and a request) still send one task', async () => {
    service.clock.set(DEADLINE);

    await Promise.all([
      service.running.services.exceptionResponses.runDue(DEADLINE),
      service.running.services.exceptionResponses.runDue(DEADLINE),
    ]);

    expect(tasksOfDeal()).toHaveLength(1);
  });

  it('a reason given in time means no task', async () => {
    await justify({ reason: 'Budget confirmed by phone' });

    const report = await runDeadlines(new Date(DEADLINE.getTime() + HOUR_MS));

    expect(report.tasksCreated).toBe(0);
    expect(tasksOfDeal()).toEqual([]);
  });

  it('a create whose answer was lost is found by its marker on the next run, never sent twice', async () => {
    service.hubspot.inject({
      method: 'POST',
      path: TASK_BATCH_CREATE_PATH,
      status: 500,
      afterResponse: true,
    });
    const lost = await runDeadlines(DEADLINE);
    expect(lost.failed).toBe(1);

    const next = await runDeadlines(new Date(DEADLINE.getTime() + 60_000));

    expect(next).toMatchObject({ tasksCreated: 0, tasksFound: 1, failed: 0 });
    expect(tasksOfDeal()).toHaveLength(1);
    const after = await runDeadlines(new Date(DEADLINE.getTime() + 120_000));
    expect(after).toMatchObject({ tasksCreated: 0, tasksFound: 0 });
  });

  it('a create HubSpot refused (500) is sent again on the next run', async () => {
    service.hubspot.inject({ method: 'POST', path: TASK_BATCH_CREATE_PATH, status: 500, times: 10 });
    expect((await runDeadlines(DEADLINE)).failed).toBe(1);
    service.hubspot.clearFaults();

    const next = await runDeadlines(new Date(DEADLINE.getTime() + 60_000));

    expect(next.tasksCreated).toBe(1);
    expect(tasksOfDeal()).toHaveLength(1);
  });
});
