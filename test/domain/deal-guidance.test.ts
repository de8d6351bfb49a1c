import { buildBusinessCalendar, evaluateDealGuidance } from '../../src/domain/deal-guidance.util';
import { DEFAULT_PLAYBOOK } from '../../src/domain/default-playbook';
import {
  buildAction,
  buildActionState,
  buildCalendar,
  buildCheck,
  buildDeal,
  buildPlaybook,
  buildStep,
} from './builders';

const calendar = buildCalendar({ timeZone: 'UTC' });

const playbook = buildPlaybook({
  pipelines: { default: { stages: { qualifiedtobuy: 'qualification', closedlost: null } } },
  steps: [
    buildStep({
      id: 'qualification',
      title: 'Qualification and needs assessment',
      guidance: 'Confirm budget, authority, need and timeline before any demo.',
      stallAfterBusinessDays: 10,
      actions: [
        buildAction({ id: 'discovery-call', title: 'Hold a discovery call' }),
        buildAction({ id: 'confirm-budget', title: 'Confirm the budget' }),
      ],
      checks: [
        buildCheck({ property: 'amount', present: true }, { id: 'amount-set', title: 'Amount is set' }),
        buildCheck(
          { associated: 'contacts', min: 1 },
          { id: 'contact-associated', title: 'A contact is associated' },
        ),
      ],
    }),
  ],
});

describe('evaluateDealGuidance', () => {
  it('answers the guidance response of the design for a deal in a mapped stage', () => {
    const guidance = evaluateDealGuidance({
      deal: buildDeal({
        dealId: '123',
        portalId: 62515,
        stageId: 'qualifiedtobuy',
        stageEnteredAt: new Date('2026-11-20T10:00:00Z'),
        associations: { contacts: 1 },
      }),
      playbook,
      playbookVersion: 3,
      stageLabel: 'Qualified To Buy',
      actionStates: [
        buildActionState({
          actionId: 'discovery-call',
          by: { userId: '101', email: 'rep@example.com' },
          at: new Date('2026-11-21T09:30:00Z'),
        }),
      ],
      now: new Date('2026-12-08T12:00:00Z'),
      calendar,
    });

    expect(guidance).toEqual({
      dealId: '123',
      portalId: 62515,
      pipelineId: 'default',
      stage: { id: 'qualifiedtobuy', label: 'Qualified To Buy', enteredAt: '2026-11-20T10:00:00.000Z' },
      step: {
        id: 'qualification',
        title: 'Qualification and needs assessment',
        guidance: 'Confirm budget, authority, need and timeline before any demo.',
        playbookVersion: 3,
      },
      actions: [
        {
          id: 'discovery-call',
          title: 'Hold a discovery call',
          required: true,
          done: true,
          doneBy: { userId: '101', email: 'rep@example.com' },
          doneAt: '2026-11-21T09:30:00.000Z',
        },
        {
          id: 'confirm-budget',
          title: 'Confirm the budget',
          required: true,
          done: false,
          doneBy: null,
          doneAt: null,
        },
      ],
      checks: [
        { id: 'amount-set', title: 'Amount is set', passed: false, detail: 'Amount is empty' },
        { id: 'contact-associated', title: 'A contact is associated', passed: true, detail: null },
      ],
      progress: { done: 2, total: 4 },
      readyToAdvance: false,
      blockers: ['Not done: Confirm the budget', 'Amount is set: Amount is empty'],
      stall: {
        stalled: true,
        daysInStage: 12,
        thresholdDays: 10,
        reason: 'in-stage-too-long',
        pausedUntil: null,
        snoozedUntil: null,
        noActivityDays: null,
        stalledSince: '2026-12-04T10:00:00.000Z',
      },
    });
  });

  it('is plain JSON: every instant is an ISO string', () => {
    const guidance = evaluateDealGuidance({
      deal: buildDeal(),
      playbook,
      playbookVersion: 1,
      stageLabel: 'Qualified To Buy',
      actionStates: [buildActionState()],
      now: new Date('2026-11-25T12:00:00Z'),
      calendar,
    });

    expect(JSON.parse(JSON.stringify(guidance))).toEqual(guidance);
  });

  it('links to the full SOP when the step has one', () => {
    const withLink = buildPlaybook({
      steps: [buildStep({ id: 'qualification', sopUrl: 'https://wiki.example.com/sop/qualification' })],
    });

    const guidance = evaluateDealGuidance({
      deal: buildDeal(),
      playbook: withLink,
      playbookVersion: 1,
      stageLabel: null,
      actionStates: [],
      now: new Date('2026-11-25T12:00:00Z'),
      calendar,
    });

    expect(guidance.step?.sopUrl).toBe('https://wiki.example.com/sop/qualification');
  });

  it('a deal in a stage with no step gets no checklist, is not ready to advance, and is told why', () => {
    const guidance = evaluateDealGuidance({
      deal: buildDeal({ stageId: 'closedlost', stageEnteredAt: new Date('2026-11-02T10:00:00Z') }),
      playbook,
      playbookVersion: 3,
      stageLabel: 'Closed Lost',
      actionStates: [buildActionState()],
      now: new Date('2026-12-08T12:00:00Z'),
      calendar,
    });

    expect(guidance).toMatchObject({
      stage: { id: 'closedlost', label: 'Closed Lost' },
      step: null,
      reason: 'Stage "closedlost" follows no SOP step',
      actions: [],
      checks: [],
      progress: { done: 0, total: 0 },
      readyToAdvance: false,
      blockers: [],
      stall: { stalled: false, thresholdDays: null, reason: null },
    });
  });

  it('a deal in a pipeline without a mapping is told the pipeline has no SOP yet, under its stage id', () => {
    const guidance = evaluateDealGuidance({
      deal: buildDeal({ pipelineId: '98765', stageId: '12345' }),
      playbook,
      playbookVersion: 3,
      stageLabel: null,
      actionStates: [],
      now: new Date('2026-12-08T12:00:00Z'),
      calendar,
    });

    expect(guidance).toMatchObject({
      stage: { id: '12345', label: '12345' },
      step: null,
      reason: 'This pipeline has no SOP mapping yet',
    });
  });

  it('a snoozed deal is shown as not stalled until the snooze ends', () => {
    const guidance = evaluateDealGuidance({
      deal: buildDeal({ stageEnteredAt: new Date('2026-11-20T10:00:00Z') }),
      playbook,
      playbookVersion: 3,
      stageLabel: 'Qualified To Buy',
      actionStates: [],
      now: new Date('2026-12-08T12:00:00Z'),
      calendar,
      snoozedUntil: new Date('2026-12-10T09:00:00Z'),
    });

    expect(guidance.stall).toMatchObject({ stalled: false, snoozedUntil: '2026-12-10T09:00:00.000Z' });
  });

  it('a qualified deal with its homework done is ready to advance under the default playbook', () => {
    const guidance = evaluateDealGuidance({
      deal: buildDeal({
        stageId: 'qualifiedtobuy',
        stageEnteredAt: new Date('2026-11-23T10:00:00Z'),
        properties: {
          amount: '24000',
          closedate: '2027-01-29',
          description: 'Spreadsheets break at month end; finance wants approvals in one place.',
          dealtype: 'newbusiness',
        },
      }),
      playbook: DEFAULT_PLAYBOOK,
      playbookVersion: 1,
      stageLabel: 'Qualified To Buy',
      actionStates: ['discovery-call', 'confirm-budget', 'identify-decision-maker', 'agree-timeline'].map(
        (actionId) => buildActionState({ actionId }),
      ),
      now: new Date('2026-11-25T12:00:00Z'),
      calendar,
    });

    expect(guidance.step?.id).toBe('qualification');
    expect(guidance.blockers).toEqual([]);
    expect(guidance).toMatchObject({ progress: { done: 8, total: 8 }, readyToAdvance: true });
  });
});

describe('buildBusinessCalendar', () => {
  it("counts on the portal's time zone and the playbook's holidays", () => {
    const withHolidays = buildPlaybook({ calendar: { holidays: ['2026-12-25'] } });

    expect(buildBusinessCalendar(withHolidays, 'America/Chicago')).toEqual({
      timeZone: 'America/Chicago',
      holidays: ['2026-12-25'],
    });
  });

  it('lets the playbook pin its own time zone', () => {
    const pinned = buildPlaybook({ calendar: { timeZone: 'Europe/London', holidays: [] } });

    expect(buildBusinessCalendar(pinned, 'America/Chicago').timeZone).toBe('Europe/London');
  });
});
