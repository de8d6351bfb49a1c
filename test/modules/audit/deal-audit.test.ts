import { runCli } from '../../../src/app/cli/run-cli';
import {
  SAMPLE_PORTAL_ID,
  SAMPLE_TOKEN,
  stageChangeEvent,
  startTestService,
  type TestService,
} from '../../support/service-harness';
import { DATABASES } from '../../support/test-databases';
import { actionPath, minutesAfter, parseCsv } from '../../support/deal-card-api.helpers';

/**
 * The audit trail: every stage change (from webhooks), every tick and untick (who, when, note) and
 * every snooze of a deal, as one time-ordered list; and the whole portal's trail as CSV from the CLI.
 */
describe.each(DATABASES)("a deal's audit trail (%s)", (database) => {
  let t: TestService;
  let start: Date;

  beforeEach(async () => {
    t = await startTestService({ database });
    start = t.clock.now();
  });
  afterEach(async () => {
    await t.stop();
  });

  async function moveDeal(dealId: string, stageId: string, at: Date) {
    t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, stageId, at);
    expect((await t.sendWebhook([stageChangeEvent(dealId, stageId, at)])).status).toBe(200);
    expect(await t.drainInbox()).toBe(1);
  }

  /** A deal's life over twenty minutes: moved, ticked, snoozed, unticked, moved on. */
  async function playDealHistory(dealId: string, note: string) {
    // The card was opened once, so the service knows the stage the deal leaves.
    await t.cardRequest('GET', `/api/v1/deals/${dealId}/guidance`);
    await moveDeal(dealId, 'presentationscheduled', minutesAfter(start, -30));
    await t.cardRequest('POST', actionPath(dealId, 'send-demo-agenda'), { body: { done: true } });
    t.clock.set(minutesAfter(start, 5));
    const snoozed = await t.cardRequest('POST', `/api/v1/deals/${dealId}/snooze`, {
      body: { until: minutesAfter(start, 3 * 24 * 60).toISOString(), reason: 'Buyer on holiday' },
    });
    expect(snoozed.status).toBe(200);
    t.clock.set(minutesAfter(start, 10));
    await t.cardRequest('POST', actionPath(dealId, 'send-demo-agenda'), {
      userId: '202',
      userEmail: 'sam@example.com',
      body: { done: false, note },
    });
    t.clock.set(minutesAfter(start, 20));
    await moveDeal(dealId, 'decisionmakerboughtin', minutesAfter(start, 15));
  }

  it('lists stage changes, ticks, unticks and snoozes, newest first', async () => {
    const dealId = t.sample.deals.stalledQualified;
    await playDealHistory(dealId, 'Agenda was for the wrong team');

    const response = await t.cardRequest('GET', `/api/v1/deals/${dealId}/audit`);

    expect(response.status).toBe(200);
    expect(
      response.body.entries.map((entry: { type: string; at: string }) => [entry.type, entry.at]),
    ).toEqual([
      // Each move left its step's required actions open: the default playbook records an advisory exception.
      ['exception', minutesAfter(start, 15).toISOString()],
      ['stage-change', minutesAfter(start, 15).toISOString()],
      ['action', minutesAfter(start, 10).toISOString()],
      ['snooze', minutesAfter(start, 5).toISOString()],
      ['action', start.toISOString()],
      ['exception', minutesAfter(start, -30).toISOString()],
      ['stage-change', minutesAfter(start, -30).toISOString()],
    ]);
    const [, movedOn, unticked, snoozed, ticked, , movedIn] = response.body.entries;
    expect(movedIn).toMatchObject({
      fromStage: 'qualifiedtobuy',
      toStage: 'presentationscheduled',
      source: 'CRM',
    });
    expect(ticked).toMatchObject({
      actionId: 'send-demo-agenda',
      done: true,
      userId: '101',
      userEmail: 'rep@example.com',
    });
    expect(snoozed).toMatchObject({
      reason: 'Buyer on holiday',
      userId: '101',
      userEmail: 'rep@example.com',
    });
    expect(unticked).toMatchObject({ done: false, userId: '202', note: 'Agenda was for the wrong team' });
    expect(movedOn).toMatchObject({ fromStage: 'presentationscheduled', toStage: 'decisionmakerboughtin' });
  });

  it('a deal the service never saw has its first stage change audited with the stage it left', async () => {
    const dealId = t.sample.deals.freshAppointment;
    expect(await t.running.services.store.deals.getDeal(SAMPLE_PORTAL_ID, dealId)).toBeNull();

    await moveDeal(dealId, 'qualifiedtobuy', minutesAfter(start, -5));

    const response = await t.cardRequest('GET', `/api/v1/deals/${dealId}/audit`);
    expect(response.body.entries).toEqual([
      expect.objectContaining({
        type: 'stage-change',
        pipelineId: 'default',
        fromStage: 'appointmentscheduled',
        toStage: 'qualifiedtobuy',
      }),
    ]);
  });

  it('moves delivered out of order, one retried a day late, each keep the stage they left', async () => {
    const dealId = t.sample.deals.readyQualified;
    const firstAt = minutesAfter(start, -20);
    const secondAt = minutesAfter(start, -10);
    t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, 'presentationscheduled', firstAt);
    t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, 'decisionmakerboughtin', secondAt);
    const first = stageChangeEvent(dealId, 'presentationscheduled', firstAt);

    expect((await t.sendWebhook([stageChangeEvent(dealId, 'decisionmakerboughtin', secondAt)])).status).toBe(
      200,
    );
    expect(await t.drainInbox()).toBe(1);
    t.clock.set(minutesAfter(start, 24 * 60));
    expect((await t.sendWebhook([{ ...first, attemptNumber: 9 }])).status).toBe(200);
    expect(await t.drainInbox()).toBe(1);

    const response = await t.cardRequest('GET', `/api/v1/deals/${dealId}/audit`);
    expect(
      response.body.entries.map((entry: { at: string; fromStage: string; toStage: string }) => [
        entry.at,
        entry.fromStage,
        entry.toStage,
      ]),
    ).toEqual([
      [secondAt.toISOString(), 'presentationscheduled', 'decisionmakerboughtin'],
      [firstAt.toISOString(), 'qualifiedtobuy', 'presentationscheduled'],
    ]);
  });

  it('exports every deal of the portal as CSV, quoting notes with commas, quotes and line breaks', async () => {
    const awkwardNote = 'Called "Bob", then Alice,\nand left a voicemail';
    await playDealHistory(t.sample.deals.stalledQualified, awkwardNote);
    t.clock.set(minutesAfter(start, 25));
    await t.cardRequest('POST', actionPath(t.sample.deals.freshAppointment, 'research-account'), {
      body: { done: true, note: '=HYPERLINK("http://evil.example")' },
    });

    const out: string[] = [];
    const err: string[] = [];
    const env = {
      DATABASE_URL: t.databaseUrl,
      HUBSPOT_ACCESS_TOKEN: SAMPLE_TOKEN,
      HUBSPOT_API_BASE_URL: t.hubspot.url,
    };
    const io = { out: (text: string) => out.push(text), err: (text: string) => err.push(text), env };
    expect(await runCli(['audit', '--portal', String(SAMPLE_PORTAL_ID)], io)).toBe(0);
    expect(err).toEqual([]);

    const [header, ...rows] = parseCsv(`${out.join('\n')}\n`);
    expect(header).toEqual([
      'at',
      'type',
      'deal_id',
      'from_stage',
      'to_stage',
      'source',
      'step_id',
      'action_id',
      'done',
      'user_id',
      'user_email',
      'note',
      'snoozed_until',
      'exception_id',
      'mode',
      'open_items',
      'decision',
    ]);
    const column = (row: string[], name: string) => row[header!.indexOf(name)];
    expect(rows.map((row) => [column(row, 'type'), column(row, 'deal_id')])).toEqual([
      ['stage-change', t.sample.deals.stalledQualified],
      ['exception', t.sample.deals.stalledQualified],
      ['action', t.sample.deals.stalledQualified],
      ['snooze', t.sample.deals.stalledQualified],
      ['action', t.sample.deals.stalledQualified],
      ['stage-change', t.sample.deals.stalledQualified],
      ['exception', t.sample.deals.stalledQualified],
      ['action', t.sample.deals.freshAppointment],
    ]);
    expect(rows.every((row) => row.length === header!.length)).toBe(true);
    expect(column(rows[4]!, 'note')).toBe(awkwardNote);
    expect(column(rows[4]!, 'done')).toBe('undone');
    expect(column(rows[4]!, 'user_email')).toBe('sam@example.com');
    expect(column(rows[3]!, 'user_email')).toBe('rep@example.com');
    expect([column(rows[1]!, 'mode'), column(rows[1]!, 'to_stage')]).toEqual([
      'advisory',
      'presentationscheduled',
    ]);
    // A spreadsheet must show the note, not run it.
    expect(column(rows[7]!, 'note')).toBe(`'=HYPERLINK("http://evil.example")`);

    const since: string[] = [];
    const sinceIo = { ...io, out: (text: string) => since.push(text) };
    expect(
      await runCli(
        ['audit', '--portal', String(SAMPLE_PORTAL_ID), '--since', minutesAfter(start, 10).toISOString()],
        sinceIo,
      ),
    ).toBe(0);
    expect(
      parseCsv(`${since.join('\n')}\n`)
        .slice(1)
        .map((row) => row[1]),
    ).toEqual(['action', 'stage-change', 'exception', 'action']);
  });

  it('refuses an export without a valid portal id', async () => {
    const err: string[] = [];
    const io = {
      out: () => undefined,
      err: (text: string) => err.push(text),
      env: { DATABASE_URL: t.databaseUrl },
    };
    expect(await runCli(['audit', '--portal', 'acme'], io)).toBe(1);
    expect(err.join('\n')).toContain('--portal');
  });
});
