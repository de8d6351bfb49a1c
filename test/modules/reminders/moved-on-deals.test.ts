import { DATABASES } from '../../support/test-databases';
import {
  SAMPLE_PORTAL_ID,
  stageChangeEvent,
  startTestService,
  type TestService,
} from '../../support/service-harness';
import {
  projectDeals,
  projectSampleDeals,
  sweep,
  SWEEP_INTERVAL_MS,
  tasksOfDeal,
} from './support/reminder-fixtures';

const MANAGER_OWNER_ID = String(SAMPLE_PORTAL_ID * 10 + 100_000_003);

describe.each(DATABASES)('a deal that moves on (%s)', (database) => {
  let service: TestService;
  beforeEach(async () => {
    service = await startTestService({ database, env: { MANAGER_OWNER_ID } });
    await projectSampleDeals(service);
  });
  afterEach(async () => {
    await service.stop();
  });

  const openReminders = (dealId: string) =>
    service.running.services.store.reminders.listOpenRemindersForDeal(SAMPLE_PORTAL_ID, dealId);

  it('a stage change webhook completes its open reminder tasks, owner and manager alike', async () => {
    const dealId = service.sample.deals.closedWon;
    // Stark is reopened: a renewal back in negotiation.
    await sweep(service);
    expect(tasksOfDeal(service, dealId).map((task) => task.properties.hs_task_status)).toEqual([
      'NOT_STARTED',
      'NOT_STARTED',
    ]);

    const movedAt = new Date(service.clock.now().getTime() + 60_000);
    service.clock.set(movedAt);
    service.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, 'contractsent', movedAt);
    expect((await service.sendWebhook([stageChangeEvent(dealId, 'contractsent', movedAt)])).status).toBe(200);
    await service.drainInbox();

    expect(tasksOfDeal(service, dealId).map((task) => task.properties.hs_task_status)).toEqual([
      'COMPLETED',
      'COMPLETED',
    ]);
    expect(await openReminders(dealId)).toEqual([]);
  });

  it('the stall clock starts again in the new stage: no reminder until the new stage stalls', async () => {
    const dealId = service.sample.deals.stalledQualified;
    await sweep(service);
    const movedAt = new Date(service.clock.now().getTime() + 60_000);
    service.clock.set(movedAt);
    service.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, 'presentationscheduled', movedAt);
    await service.sendWebhook([stageChangeEvent(dealId, 'presentationscheduled', movedAt)]);
    await service.drainInbox();

    service.clock.advanceMs(SWEEP_INTERVAL_MS);
    await sweep(service);

    expect(tasksOfDeal(service, dealId).map((task) => task.properties.hs_task_status)).toEqual(['COMPLETED']);
  });

  it('a move the webhooks missed is caught by the sweep, which completes the tasks of the old stage', async () => {
    const dealId = service.sample.deals.contractSent;
    await sweep(service);
    const movedAt = new Date(service.clock.now().getTime() + 60_000);
    service.clock.set(movedAt);
    service.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, 'closedwon', movedAt);
    // Read by a backfill or a card view: the projection moves, no inbox batch runs.
    await projectDeals(service, [dealId]);

    const report = await sweep(service);

    expect(tasksOfDeal(service, dealId).map((task) => task.properties.hs_task_status)).toEqual(['COMPLETED']);
    expect(report.rows.filter((row) => row.dealId === dealId).map((row) => row.action)).toEqual([
      'completed',
    ]);
    expect(await openReminders(dealId)).toEqual([]);
  });

  it('completing tasks is retried when HubSpot fails, and the tasks end up completed', async () => {
    const dealId = service.sample.deals.stalledQualified;
    await sweep(service);
    const movedAt = new Date(service.clock.now().getTime() + 60_000);
    service.clock.set(movedAt);
    service.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, 'presentationscheduled', movedAt);
    service.hubspot.inject({
      method: 'POST',
      path: '/crm/v3/objects/tasks/batch/update',
      status: 503,
      times: 10,
    });
    await service.sendWebhook([stageChangeEvent(dealId, 'presentationscheduled', movedAt)]);
    await service.drainInbox();
    service.hubspot.clearFaults();
    expect(tasksOfDeal(service, dealId).map((task) => task.properties.hs_task_status)).toEqual([
      'NOT_STARTED',
    ]);

    service.clock.advanceMs(SWEEP_INTERVAL_MS);
    await sweep(service);

    expect(tasksOfDeal(service, dealId).map((task) => task.properties.hs_task_status)).toEqual(['COMPLETED']);
    expect(await openReminders(dealId)).toEqual([]);
  });
});
