import { SAMPLE_PORTAL_ID, startTestService, type TestService } from '../../support/service-harness';
import { buildPreviewCandidate } from './playbook-builders';

const DAY_MS = 24 * 60 * 60 * 1000;
const UNQUALIFIED_APPOINTMENTS = 7;

/**
 * The impact preview on the sample portal plus seven appointments without an amount, all projected.
 * Under buildPreviewCandidate, by hand (now is Thursday 2026-11-26):
 *   appointmentscheduled: freshAppointment has an amount (compliant); the seven have none (blocked).
 *   qualifiedtobuy: stalledQualified is 12 business days in (stalled); readyQualified is 3 days in but
 *     nobody held the discovery call (blocked).
 *   presentationscheduled: mapped to no step.  decisionmakerboughtin: nobody.
 *   contractsent: 7 business days in, threshold 5 (stalled).  closedwon: closed, not counted.
 */
describe('impact preview', () => {
  let t: TestService;
  let managerId: string;
  const extraDealIds: string[] = [];

  beforeAll(async () => {
    t = await startTestService();
    managerId = t.sample.owners.manager.userId;
    const now = t.clock.now();
    for (let index = 0; index < UNQUALIFIED_APPOINTMENTS; index += 1) {
      const deal = t.hubspot.state.upsertDeal(
        SAMPLE_PORTAL_ID,
        {
          properties: { dealname: `Unqualified ${index}`, dealstage: 'appointmentscheduled', amount: null },
          createdAt: new Date(now.getTime() - 2 * DAY_MS),
        },
        new Date(now.getTime() - 2 * DAY_MS),
      );
      extraDealIds.push(deal.id);
    }
    await t.running.services.dealSync.syncDeals(
      SAMPLE_PORTAL_ID,
      [...Object.values(t.sample.deals), ...extraDealIds],
      now,
    );
  });
  afterAll(async () => {
    await t.stop();
  });

  const preview = (body: unknown) =>
    t.cardRequest('POST', '/api/v1/playbook/preview', { userId: managerId, body });

  it('counts, per open stage, the deals that would be compliant, blocked, stalled or stepless', async () => {
    const response = await preview(buildPreviewCandidate());

    expect(response.status).toBe(200);
    const byStage = Object.fromEntries(
      response.body.stages.map((stage: any) => [
        stage.stageId,
        [
          stage.stepId,
          stage.openDeals,
          stage.compliant.count,
          stage.blocked.count,
          stage.stalled.count,
          stage.noStep.count,
        ],
      ]),
    );
    expect(byStage).toEqual({
      appointmentscheduled: ['open', 8, 1, 7, 0, 0],
      qualifiedtobuy: ['qualify', 2, 0, 1, 1, 0],
      presentationscheduled: [null, 1, 0, 0, 0, 1],
      decisionmakerboughtin: ['close', 0, 0, 0, 0, 0],
      contractsent: ['close', 1, 0, 0, 1, 0],
    });
    expect(response.body.totals).toEqual({ openDeals: 12, compliant: 1, blocked: 8, stalled: 2, noStep: 1 });
  });

  it('names up to five sample deals per bucket', async () => {
    const response = await preview(buildPreviewCandidate());

    const stage = (id: string) => response.body.stages.find((s: any) => s.stageId === id);
    expect(stage('appointmentscheduled').compliant.sampleDealIds).toEqual([t.sample.deals.freshAppointment]);
    expect(stage('appointmentscheduled').blocked.sampleDealIds).toHaveLength(5);
    for (const id of stage('appointmentscheduled').blocked.sampleDealIds) expect(extraDealIds).toContain(id);
    expect(stage('qualifiedtobuy').stalled.sampleDealIds).toEqual([t.sample.deals.stalledQualified]);
    expect(stage('qualifiedtobuy').blocked.sampleDealIds).toEqual([t.sample.deals.readyQualified]);
    expect(stage('contractsent').stalled.sampleDealIds).toEqual([t.sample.deals.contractSent]);
  });

  it('counts a ticked checklist: a deal whose required action is done becomes compliant', async () => {
    const dealId = t.sample.deals.readyQualified;
    const deal = await t.running.services.store.deals.getDeal(SAMPLE_PORTAL_ID, dealId);
    await t.running.services.store.actions.appendActionCompletion({
      portalId: SAMPLE_PORTAL_ID,
      dealId,
      stageEnteredAt: deal!.stageEnteredAt,
      stepId: 'qualify',
      actionId: 'discovery-call',
      done: true,
      userId: '101',
      userEmail: 'rep@example.com',
      note: null,
      at: t.clock.now(),
    });

    const response = await preview(buildPreviewCandidate());

    const qualified = response.body.stages.find((s: any) => s.stageId === 'qualifiedtobuy');
    expect(qualified.compliant.sampleDealIds).toEqual([dealId]);
  });

  it('reports properties the projection has not read for the candidate, and unknown stages as warnings', async () => {
    const candidate: any = buildPreviewCandidate();
    candidate.steps[0].checks.push({
      id: 'budget',
      title: 'Budget known',
      rule: { property: 'budget_k', present: true },
    });
    candidate.pipelines.default.stages.nosuchstage = 'open';

    const response = await preview(candidate);

    expect(response.status).toBe(200);
    expect(response.body.unreadProperties).toContain('budget_k');
    expect(response.body.warnings).toEqual([
      {
        path: 'pipelines.default.stages.nosuchstage',
        message: 'HubSpot pipeline "default" has no stage "nosuchstage"',
      },
    ]);
  });

  it('rejects an invalid candidate with the same path-named 400 as a publish, and saves nothing', async () => {
    const candidate: any = buildPreviewCandidate();
    candidate.steps[1].actions[0].id = 'Not A Slug';

    const response = await preview(candidate);

    expect(response.status).toBe(400);
    expect(response.body.error.details.errors[0].path).toBe('steps.1.actions.0.id');
    expect((await t.cardRequest('GET', '/api/v1/playbook')).body.version).toBe(1);
  });
});
