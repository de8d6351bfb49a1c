import { buildBusinessCalendar, evaluateDealGuidance } from '../../src/domain/deal-guidance.util';
import type { DealGuidance } from '../../src/domain/deal-guidance.util';
import { computeSopPropertyValues, listChangedSopProperties } from '../../src/domain/sop-properties.util';
import {
  A_WEDNESDAY_AFTERNOON,
  buildAction,
  buildActionState,
  buildCheck,
  buildDeal,
  buildPlaybook,
  buildStep,
} from './builders';

const playbook = buildPlaybook({
  steps: [
    buildStep({
      stallAfterBusinessDays: 10,
      actions: [
        buildAction({ id: 'discovery-call' }),
        buildAction({ id: 'confirm-budget' }),
        buildAction({ id: 'nice-to-have', required: false }),
      ],
      checks: [buildCheck({ property: 'amount', present: true }, { id: 'amount-set' })],
    }),
  ],
});

function guidanceFor(overrides: {
  stageId?: string;
  amount?: string | null;
  done?: string[];
  stageEnteredAt?: Date;
}): DealGuidance {
  return evaluateDealGuidance({
    deal: buildDeal({
      stageId: overrides.stageId ?? 'qualifiedtobuy',
      properties: { amount: overrides.amount ?? null },
      stageEnteredAt: overrides.stageEnteredAt ?? new Date('2026-11-24T10:00:00.000Z'),
    }),
    playbook,
    playbookVersion: 1,
    stageLabel: null,
    actionStates: (overrides.done ?? []).map((actionId) => buildActionState({ actionId })),
    now: A_WEDNESDAY_AFTERNOON,
    calendar: buildBusinessCalendar(playbook, 'UTC'),
  });
}

describe('computeSopPropertyValues', () => {
  it('counts open required actions and failing checks, and rounds progress down', () => {
    expect(computeSopPropertyValues(guidanceFor({ done: ['discovery-call'] }), 0)).toEqual({
      sop_guide_step: 'qualification',
      sop_guide_progress_percent: '33',
      sop_guide_open_items: '2',
      sop_guide_compliance: 'blocked',
      sop_guide_stalled: 'false',
      sop_guide_open_exceptions: '0',
    });
  });

  it('calls a deal compliant once every required action is done and every check passes', () => {
    const values = computeSopPropertyValues(
      guidanceFor({ amount: '100', done: ['discovery-call', 'confirm-budget'] }),
      0,
    );
    expect(values).toMatchObject({
      sop_guide_progress_percent: '100',
      sop_guide_open_items: '0',
      sop_guide_compliance: 'compliant',
    });
  });

  it('flags a deal stalled past its step threshold', () => {
    const values = computeSopPropertyValues(
      guidanceFor({ stageEnteredAt: new Date('2026-10-01T10:00:00.000Z') }),
      0,
    );
    expect(values.sop_guide_stalled).toBe('true');
  });

  it('clears step and progress for a stage that follows no step', () => {
    expect(computeSopPropertyValues(guidanceFor({ stageId: 'closedlost' }), 0)).toEqual({
      sop_guide_step: null,
      sop_guide_progress_percent: null,
      sop_guide_open_items: '0',
      sop_guide_compliance: 'no_step',
      sop_guide_stalled: 'false',
      sop_guide_open_exceptions: '0',
    });
  });

  it("counts the deal's open exceptions, with or without a step", () => {
    expect(computeSopPropertyValues(guidanceFor({}), 2).sop_guide_open_exceptions).toBe('2');
    expect(
      computeSopPropertyValues(guidanceFor({ stageId: 'closedlost' }), 1).sop_guide_open_exceptions,
    ).toBe('1');
  });
});

describe('listChangedSopProperties', () => {
  const values = computeSopPropertyValues(guidanceFor({ done: ['discovery-call'] }), 0);

  it('sends every property for a deal never written', () => {
    expect(listChangedSopProperties(null, values)).toEqual(values);
  });

  it('sends nothing when the values are those last written', () => {
    expect(listChangedSopProperties({ ...values }, values)).toEqual({});
  });

  it('sends only the properties whose value moved', () => {
    const next = computeSopPropertyValues(guidanceFor({ done: ['discovery-call', 'confirm-budget'] }), 0);
    expect(listChangedSopProperties(values, next)).toEqual({
      sop_guide_progress_percent: '66',
      sop_guide_open_items: '1',
    });
  });

  it('writes a cleared property once, then leaves it alone', () => {
    const noStep = computeSopPropertyValues(guidanceFor({ stageId: 'closedlost' }), 0);
    expect(listChangedSopProperties(values, noStep)).toMatchObject({ sop_guide_step: null });
    expect(listChangedSopProperties(noStep, noStep)).toEqual({});
  });
});
