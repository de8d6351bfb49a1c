import { runCli } from '../../../src/app/cli/run-cli';
import {
  SAMPLE_PORTAL_ID,
  SAMPLE_TOKEN,
  startTestService,
  type TestService,
} from '../../support/service-harness';
import { DATABASES } from '../../support/test-databases';
import { parseCsv } from '../../support/deal-card-api.helpers';
import {
  addProjectedDeal,
  buildGovernedPlaybook,
  exceptionsOf,
  HOUR_MS,
  moveDeal,
  publishPlaybook,
} from '../exceptions/support/exception-fixtures';

/**
 * Governance in the audit trail: the exception (who moved the deal, with what open), the owner's
 * reason, the manager's decision and the app's own move back each appear in the deal's trail, newest
 * first, with who and when, and in the portal's CSV export.
 */
describe.each(DATABASES)('governance in the audit trail (%s)', (database) => {
  let service: TestService;
  let start: Date;
  beforeEach(async () => {
    service = await startTestService({ database });
    await publishPlaybook(service, buildGovernedPlaybook());
    start = service.clock.now();
  });
  afterEach(async () => {
    await service.stop();
  });

  const at = (ms: number) => new Date(start.getTime() + ms);
  const rep = () => service.sample.owners.rep;
  const manager = () => service.sample.owners.manager;
  const auditOf = async (dealId: string) => {
    const answer = await service.cardRequest('GET', `/api/v1/deals/${dealId}/audit`);
    expect(answer.status).toBe(200);
    return answer.body.entries as Array<Record<string, unknown>>;
  };

  it('a justified exception: the move, then the reason, newest first, each with who and when', async () => {
    const dealId = await addProjectedDeal(service, {
      stageId: 'qualifiedtobuy',
      enteredAt: at(-48 * HOUR_MS),
    });
    await moveDeal(service, dealId, 'presentationscheduled', at(-HOUR_MS));
    const [exception] = await exceptionsOf(service, dealId);
    service.clock.set(at(HOUR_MS));
    const justified = await service.cardRequest('POST', `/api/v1/exceptions/${exception!.id}/justification`, {
      userId: rep().userId,
      userEmail: 'rep@example.com',
      body: { reason: 'Budget confirmed by phone' },
    });
    expect(justified.status).toBe(200);

    const entries = await auditOf(dealId);

    expect(entries.map((entry) => [entry.type, entry.at])).toEqual([
      ['exception-justification', at(HOUR_MS).toISOString()],
      ['exception', at(-HOUR_MS).toISOString()],
      ['stage-change', at(-HOUR_MS).toISOString()],
    ]);
    expect(entries[0]).toMatchObject({
      exceptionId: exception!.id,
      reason: 'Budget confirmed by phone',
      userId: rep().userId,
      userEmail: 'rep@example.com',
    });
    expect(entries[1]).toMatchObject({
      exceptionId: exception!.id,
      fromStage: 'qualifiedtobuy',
      toStage: 'presentationscheduled',
      stepId: 'qualify',
      mode: 'justify',
      openItems: ['Hold a discovery call', 'Amount is set'],
      source: 'CRM',
      userId: rep().userId,
    });
  });

  it("a rejection: the manager's decision and the app's move back, which comes back as a stage change", async () => {
    const dealId = await addProjectedDeal(service, {
      stageId: 'presentationscheduled',
      enteredAt: at(-48 * HOUR_MS),
    });
    await moveDeal(service, dealId, 'decisionmakerboughtin', at(-2 * HOUR_MS));
    const [exception] = await exceptionsOf(service, dealId);
    service.clock.set(at(-HOUR_MS));
    const decided = await service.cardRequest('POST', `/api/v1/exceptions/${exception!.id}/decision`, {
      userId: manager().userId,
      userEmail: 'manager@example.com',
      body: { decision: 'reject', note: 'Run the demo first' },
    });
    expect(decided.status).toBe(200);
    // HubSpot tells the app about its own write: a stage change, and no new exception.
    await moveDeal(service, dealId, 'presentationscheduled', at(-HOUR_MS), {
      changeSource: 'INTEGRATION',
      sourceId: '54321',
    });

    const entries = await auditOf(dealId);

    expect(entries.map((entry) => entry.type)).toEqual([
      'stage-change',
      'exception-move-back',
      'exception-decision',
      'exception',
      'stage-change',
    ]);
    expect(entries[1]).toMatchObject({
      at: at(-HOUR_MS).toISOString(),
      fromStage: 'decisionmakerboughtin',
      toStage: 'presentationscheduled',
      reason: 'rejected',
      source: 'SOP Guide',
      userId: null,
    });
    expect(entries[2]).toMatchObject({
      at: at(-HOUR_MS).toISOString(),
      decision: 'reject',
      note: 'Run the demo first',
      userId: manager().userId,
      userEmail: 'manager@example.com',
    });
    expect(entries[3]).toMatchObject({ mode: 'approve', openItems: ['Run the demo'] });
  });

  it("a revert: the app's move back at once, and the whole portal's trail as CSV", async () => {
    const dealId = await addProjectedDeal(service, {
      stageId: 'appointmentscheduled',
      enteredAt: at(-48 * HOUR_MS),
    });
    await moveDeal(service, dealId, 'qualifiedtobuy', at(-2 * HOUR_MS));
    service.clock.set(at(-HOUR_MS));
    await service.running.services.exceptionResponses.runDue(service.clock.now());

    const entries = await auditOf(dealId);

    expect(entries.slice(0, 2)).toEqual([
      expect.objectContaining({
        type: 'exception-move-back',
        at: at(-HOUR_MS).toISOString(),
        fromStage: 'qualifiedtobuy',
        toStage: 'appointmentscheduled',
        reason: 'revert',
      }),
      expect.objectContaining({ type: 'exception', mode: 'revert', at: at(-2 * HOUR_MS).toISOString() }),
    ]);

    const out: string[] = [];
    const io = {
      out: (text: string) => out.push(text),
      err: (text: string) => {
        throw new Error(text);
      },
      env: {
        DATABASE_URL: service.databaseUrl,
        HUBSPOT_ACCESS_TOKEN: SAMPLE_TOKEN,
        HUBSPOT_API_BASE_URL: service.hubspot.url,
      },
    };
    expect(
      await runCli(
        ['audit', '--portal', String(SAMPLE_PORTAL_ID), '--since', at(-90 * 60_000).toISOString()],
        io,
      ),
    ).toBe(0);
    const [header, ...rows] = parseCsv(`${out.join('\n')}\n`);
    const column = (row: string[], name: string) => row[header!.indexOf(name)];
    // Since 90 minutes ago: the move back only, not the exception recorded before.
    expect(rows.map((row) => [column(row, 'type'), column(row, 'deal_id'), column(row, 'to_stage')])).toEqual(
      [['exception-move-back', dealId, 'appointmentscheduled']],
    );
    expect(column(rows[0]!, 'source')).toBe('SOP Guide');
  });
});
