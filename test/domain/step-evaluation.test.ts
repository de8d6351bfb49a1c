import { evaluateStep } from '../../src/domain/step-evaluation.util';
import {
  A_WEDNESDAY_AFTERNOON,
  buildAction,
  buildActionState,
  buildCheck,
  buildDeal,
  buildStep,
} from './builders';

const now = A_WEDNESDAY_AFTERNOON;

const step = buildStep({
  actions: [
    buildAction({ id: 'discovery-call', title: 'Hold a discovery call' }),
    buildAction({ id: 'confirm-budget', title: 'Confirm the budget' }),
    buildAction({ id: 'send-deck', title: 'Send the deck', required: false }),
  ],
  checks: [
    buildCheck({ property: 'amount', present: true }, { id: 'amount-set', title: 'Amount is set' }),
    buildCheck(
      { associated: 'contacts', min: 1 },
      { id: 'contact-associated', title: 'A contact is associated' },
    ),
  ],
});

describe('evaluateStep', () => {
  it('a fresh deal has made no progress and lists every blocker', () => {
    const result = evaluateStep({ deal: buildDeal(), step, actionStates: [], now });

    expect(result.progress).toEqual({ done: 0, total: 4 });
    expect(result.readyToAdvance).toBe(false);
    expect(result.blockers).toEqual([
      'Not done: Hold a discovery call',
      'Not done: Confirm the budget',
      'Amount is set: Amount is empty',
      'A contact is associated: No contacts associated',
    ]);
  });

  it('shows who ticked an action and when', () => {
    const result = evaluateStep({
      deal: buildDeal(),
      step,
      actionStates: [
        buildActionState({
          actionId: 'discovery-call',
          by: { userId: '101', email: 'rep@example.com' },
          at: new Date('2026-11-21T09:30:00Z'),
        }),
      ],
      now,
    });

    expect(result.actions[0]).toEqual({
      id: 'discovery-call',
      title: 'Hold a discovery call',
      required: true,
      done: true,
      doneBy: { userId: '101', email: 'rep@example.com' },
      doneAt: '2026-11-21T09:30:00.000Z',
    });
    expect(result.actions[1]).toMatchObject({
      id: 'confirm-budget',
      done: false,
      doneBy: null,
      doneAt: null,
    });
  });

  it('an unticked action shows no one as having done it', () => {
    const result = evaluateStep({
      deal: buildDeal(),
      step,
      actionStates: [buildActionState({ actionId: 'discovery-call', done: false })],
      now,
    });

    expect(result.actions[0]).toMatchObject({ done: false, doneBy: null, doneAt: null });
  });

  it('progress counts required actions and checks together, and optional actions not at all', () => {
    const result = evaluateStep({
      deal: buildDeal({ properties: { amount: '5000' } }),
      step,
      actionStates: [
        buildActionState({ actionId: 'discovery-call' }),
        buildActionState({ actionId: 'send-deck' }),
      ],
      now,
    });

    expect(result.progress).toEqual({ done: 2, total: 4 });
    expect(result.actions[2]).toMatchObject({ id: 'send-deck', required: false, done: true });
  });

  it('a deal with every required action done and every check passing is ready to advance', () => {
    const result = evaluateStep({
      deal: buildDeal({ properties: { amount: '5000' }, associations: { contacts: 1 } }),
      step,
      actionStates: [
        buildActionState({ actionId: 'discovery-call' }),
        buildActionState({ actionId: 'confirm-budget' }),
      ],
      now,
    });

    expect(result.progress).toEqual({ done: 4, total: 4 });
    expect(result.readyToAdvance).toBe(true);
    expect(result.blockers).toEqual([]);
  });

  it('ignores states of actions the step does not have', () => {
    const result = evaluateStep({
      deal: buildDeal(),
      step: buildStep({ actions: [buildAction()] }),
      actionStates: [buildActionState({ actionId: 'from-another-step' })],
      now,
    });

    expect(result.actions).toHaveLength(1);
    expect(result.progress).toEqual({ done: 0, total: 1 });
  });

  it('a step with nothing to do is ready to advance', () => {
    const result = evaluateStep({ deal: buildDeal(), step: buildStep(), actionStates: [], now });

    expect(result).toEqual({
      actions: [],
      checks: [],
      progress: { done: 0, total: 0 },
      readyToAdvance: true,
      blockers: [],
    });
  });
});
