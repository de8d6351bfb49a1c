import { buildReminderKey } from '../../../src/domain';
import { DEFAULT_PLAYBOOK } from '../../../src/domain';
import { DATABASES } from '../../support/test-databases';
import { SAMPLE_PORTAL_ID, startTestService, type TestService } from '../../support/service-harness';
import {
  actionsOf,
  countRequests,
  projectSampleDeals,
  sweep,
  SWEEP_INTERVAL_MS,
  TASK_BATCH_CREATE_PATH,
  tasksOfDeal,
} from './support/reminder-fixtures';

/**
 * On the sample portal (Thursday 26 November 2026), three deals are stalled: Globex in qualification
 * (too long in stage), Hooli in negotiation (no activity for 9 days) and Stark in follow-up (for
 * weeks, so its manager hears of it too).
 */
const TASK_SEARCH_PATH = '/crm/v3/objects/tasks/search';

function stalledDealIds(service: TestService): string[] {
  const { stalledQualified, contractSent, closedWon } = service.sample.deals;
  return [stalledQualified, contractSent, closedWon];
}

function expectOneOwnerTaskEach(service: TestService) {
  for (const dealId of stalledDealIds(service)) {
    const ownerTasks = tasksOfDeal(service, dealId).filter((task) =>
      task.properties.hs_task_subject?.startsWith('Stalled deal:'),
    );
    expect({ dealId, ownerTasks: ownerTasks.length }).toEqual({ dealId, ownerTasks: 1 });
  }
}

async function startSampleService(database: 'sqlite' | 'postgres', env: Record<string, string> = {}) {
  const service = await startTestService({ database, env });
  await projectSampleDeals(service);
  return service;
}

describe.each(DATABASES)('reminder tasks are created once (%s)', (database) => {
  let service: TestService;
  afterEach(async () => {
    await service.stop();
  });

  it('each stalled deal gets one task for its owner, associated with the deal, in one batch call, and later sweeps add none', async () => {
    service = await startSampleService(database);

    const first = await sweep(service);
    await sweep(service);
    service.clock.advanceMs(SWEEP_INTERVAL_MS);
    await sweep(service);

    expectOneOwnerTaskEach(service);
    expect(first.rows.filter((row) => row.action === 'created')).toHaveLength(3);
    expect(countRequests(service, TASK_BATCH_CREATE_PATH)).toBe(1);
    const [create] = service.hubspot.requests.filter((request) => request.path === TASK_BATCH_CREATE_PATH);
    const inputs = (create!.body as { inputs: Array<{ associations: Array<{ to: { id: string } }> }> })
      .inputs;
    // The batch follows the sweep's order (oldest stage entry first), which no contract depends on.
    const byDealId = (left: Array<{ to: { id: string } }>, right: Array<{ to: { id: string } }>) =>
      left[0]!.to.id.localeCompare(right[0]!.to.id);
    expect(inputs.map((input) => input.associations).sort(byDealId)).toEqual(
      [...stalledDealIds(service)]
        .sort()
        .map((dealId) => [
          { to: { id: dealId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 216 }] },
        ]),
    );
    // Fresh, ready and paused deals get nothing.
    const { freshAppointment, readyQualified, presentation } = service.sample.deals;
    for (const dealId of [freshAppointment, readyQualified, presentation]) {
      expect(tasksOfDeal(service, dealId)).toHaveLength(0);
    }
  });

  it("a stall that lasts past the escalation threshold also gets one task for the manager of the owner's team", async () => {
    service = await startTestService({ database });
    const { manager } = service.sample.owners;
    const westTeamId = String(SAMPLE_PORTAL_ID * 10 + 400_000_002);
    // Published for deals in progress: the sample deals entered their stages before it, and are judged by it.
    await service.running.services.store.playbooks.savePlaybookVersion(
      SAMPLE_PORTAL_ID,
      {
        ...DEFAULT_PLAYBOOK,
        reminders: { escalateAfterBusinessDays: 5, teamManagers: { [westTeamId]: manager.ownerId } },
      },
      { now: service.clock.now(), repinsDealsInProgress: true },
    );
    await projectSampleDeals(service);

    await sweep(service);
    const escalations = () =>
      service.hubspot.state
        .listTasks(SAMPLE_PORTAL_ID)
        .filter((task) => task.properties.hs_task_subject?.startsWith('Escalation:'));

    // Stark belongs to a West rep: the West team's manager hears of it, at high priority.
    expect(escalations().map((task) => [task.dealIds[0], task.properties.hubspot_owner_id])).toEqual([
      [service.sample.deals.closedWon, manager.ownerId],
    ]);
    expect(escalations()[0]!.properties.hs_task_priority).toBe('HIGH');
    expect(escalations()[0]!.properties.hs_task_body).toContain('Sam Seller');
  });

  it('with no manager named by the playbook, escalations go to MANAGER_OWNER_ID', async () => {
    // The sample manager's owner id (sample owner ids derive from the portal id).
    const managerOwnerId = String(SAMPLE_PORTAL_ID * 10 + 100_000_003);
    service = await startSampleService(database, { MANAGER_OWNER_ID: managerOwnerId });
    expect(service.sample.owners.manager.ownerId).toBe(managerOwnerId);

    await sweep(service);
    service.clock.advanceMs(24 * 60 * 60 * 1000);
    await sweep(service);

    const escalations = service.hubspot.state
      .listTasks(SAMPLE_PORTAL_ID)
      .filter((task) => task.properties.hs_task_subject?.startsWith('Escalation:'));
    // Stark at once; on Friday Globex (five business days stalled) and Hooli (its step escalates after three).
    expect(escalations.map((task) => [task.dealIds[0], task.properties.hubspot_owner_id]).sort()).toEqual(
      stalledDealIds(service)
        .map((dealId) => [dealId, managerOwnerId])
        .sort(),
    );
  });

  it('HubSpot answering 429 to the create leaves the reminders for the next sweep, which sends each once', async () => {
    service = await startSampleService(database);
    service.hubspot.inject({ method: 'POST', path: TASK_BATCH_CREATE_PATH, status: 429, times: 20 });

    const refused = await sweep(service);
    service.hubspot.clearFaults();

    expect(service.hubspot.state.listTasks(SAMPLE_PORTAL_ID)).toHaveLength(0);
    expect(new Set(refused.rows.map((row) => row.action))).toEqual(new Set(['retry next sweep']));

    service.clock.advanceMs(SWEEP_INTERVAL_MS);
    await sweep(service);
    service.clock.advanceMs(SWEEP_INTERVAL_MS);
    await sweep(service);

    expectOneOwnerTaskEach(service);
  });

  it('HubSpot answering 500 to the create is reconciled by marker on the next sweep, then sent once', async () => {
    service = await startSampleService(database);
    service.hubspot.inject({ method: 'POST', path: TASK_BATCH_CREATE_PATH, status: 500 });

    const failed = await sweep(service);
    expect(new Set(failed.rows.map((row) => row.action))).toEqual(new Set(['reconcile next sweep']));
    // A sweep right away (another instance, a manual run) does not create what may be in flight.
    await sweep(service);
    expect(service.hubspot.state.listTasks(SAMPLE_PORTAL_ID)).toHaveLength(0);

    service.clock.advanceMs(SWEEP_INTERVAL_MS);
    await sweep(service);
    service.clock.advanceMs(SWEEP_INTERVAL_MS);
    await sweep(service);

    expectOneOwnerTaskEach(service);
    expect(countRequests(service, TASK_SEARCH_PATH)).toBeGreaterThanOrEqual(3);
  });

  it('a create that timed out after HubSpot made the tasks is found by its marker, and no second task is made', async () => {
    service = await startSampleService(database);
    service.hubspot.inject({ method: 'POST', path: TASK_BATCH_CREATE_PATH, afterResponse: true });

    const lost = await sweep(service);
    expect(new Set(lost.rows.map((row) => row.action))).toEqual(new Set(['reconcile next sweep']));
    expectOneOwnerTaskEach(service);

    service.clock.advanceMs(SWEEP_INTERVAL_MS);
    const reconciled = await sweep(service);
    service.clock.advanceMs(SWEEP_INTERVAL_MS);
    await sweep(service);

    expectOneOwnerTaskEach(service);
    expect(countRequests(service, TASK_BATCH_CREATE_PATH)).toBe(1);
    expect(new Set(reconciled.rows.map((row) => row.action))).toEqual(new Set(['reconciled']));
    const dealId = service.sample.deals.stalledQualified;
    const deal = await service.running.services.store.deals.getDeal(SAMPLE_PORTAL_ID, dealId);
    const reminder = await service.running.services.store.reminders.getReminder(
      buildReminderKey({
        portalId: SAMPLE_PORTAL_ID,
        dealId,
        stageEnteredAt: deal!.stageEnteredAt,
        kind: 'owner',
        round: 1,
      }),
    );
    expect(reminder).toMatchObject({ status: 'sent', hubspotTaskId: tasksOfDeal(service, dealId)[0]!.id });
  });

  it('a deal HubSpot rejects (deleted there) does not keep the other reminders from going out', async () => {
    service = await startSampleService(database);
    const deletedDealId = service.sample.deals.contractSent;
    service.hubspot.state.portal(SAMPLE_PORTAL_ID).objects.deals.delete(deletedDealId);

    const report = await sweep(service);

    expect(actionsOf(report, deletedDealId)).toEqual(['owner:retry next sweep']);
    for (const dealId of [service.sample.deals.stalledQualified, service.sample.deals.closedWon]) {
      expect(tasksOfDeal(service, dealId).length).toBeGreaterThanOrEqual(1);
    }
  });

  it('a dry run says what it would send and creates nothing', async () => {
    service = await startSampleService(database);

    const report = await sweep(service, { dryRun: true });

    expect(report.rows.map((row) => `${row.dealId}:${row.kind}:${row.action}`).sort()).toEqual(
      stalledDealIds(service)
        .map((dealId) => `${dealId}:owner:would create`)
        .sort(),
    );
    expect(countRequests(service, TASK_BATCH_CREATE_PATH)).toBe(0);
    expect(service.hubspot.state.listTasks(SAMPLE_PORTAL_ID)).toHaveLength(0);
    // Nothing was recorded either: the real sweep afterwards still sends everything.
    await sweep(service);
    expectOneOwnerTaskEach(service);
  });

  it('a rep who snoozes after the reminder is reminded again, once, when the snooze runs out', async () => {
    service = await startSampleService(database);
    const dealId = service.sample.deals.stalledQualified;
    await sweep(service);

    const until = new Date(service.clock.now().getTime() + 2 * 24 * 60 * 60 * 1000);
    const snoozed = await service.cardRequest('POST', `/api/v1/deals/${dealId}/snooze`, {
      body: { until: until.toISOString(), reason: 'Budget call on Monday' },
    });
    expect(snoozed.status).toBe(200);
    service.clock.advanceMs(SWEEP_INTERVAL_MS);
    await sweep(service);
    expect(tasksOfDeal(service, dealId)).toHaveLength(1);

    service.clock.set(new Date(until.getTime() + SWEEP_INTERVAL_MS));
    await sweep(service);
    await sweep(service);
    expect(tasksOfDeal(service, dealId)).toHaveLength(2);
  });
});
