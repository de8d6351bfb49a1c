import {
  describeMoveSource,
  isAppOwnMove,
  judgeStageMove,
  listSkippedStages,
  parsePlaybook,
  type JudgeStageMoveInput,
  type PipelineStageOrder,
} from '../../src/domain';
import {
  A_WEDNESDAY_AFTERNOON,
  buildAction,
  buildActionState,
  buildPlaybook,
  buildRecordedMove,
  buildStep,
} from './builders';

const MOVED_AT = A_WEDNESDAY_AFTERNOON;
const STAGES: PipelineStageOrder[] = [
  { id: 'qualifiedtobuy', displayOrder: 1, isClosed: false },
  { id: 'presentationscheduled', displayOrder: 2, isClosed: false },
  { id: 'decisionmakerboughtin', displayOrder: 3, isClosed: false },
  { id: 'closedwon', displayOrder: 5, isClosed: true },
];

function judge(overrides: Partial<JudgeStageMoveInput> = {}) {
  return judgeStageMove({
    playbook: buildPlaybook({
      pipelines: {
        default: {
          stages: {
            qualifiedtobuy: 'qualification',
            presentationscheduled: 'presentation',
            decisionmakerboughtin: 'negotiation',
            closedwon: null,
          },
        },
      },
      steps: [
        buildStep({ actions: [buildAction()], enforcement: { mode: 'revert', exemptUserIds: ['9'] } }),
        buildStep({ id: 'presentation', actions: [buildAction({ id: 'run-demo', title: 'Run the demo' })] }),
        buildStep({ id: 'negotiation' }),
      ],
    }),
    ...buildRecordedMove(STAGES, overrides),
  });
}

describe('judging a stage move', () => {
  it('a move with a required action open is an exception of the step left, in its mode', () => {
    expect(judge()).toEqual({
      exception: true,
      stepId: 'qualification',
      mode: 'revert',
      openItems: [
        { kind: 'action', id: 'discovery-call', title: 'Hold a discovery call', stepId: 'qualification' },
      ],
      justifyWithinBusinessHours: 8,
    });
  });

  it('an action ticked before the move meets the SOP; one ticked after it does not', () => {
    const before = buildActionState({ done: true, at: new Date(MOVED_AT.getTime() - 1) });
    const after = buildActionState({ done: true, at: new Date(MOVED_AT.getTime() + 1) });

    expect(judge({ actionStates: [before] })).toEqual({ exception: false, reason: 'sop-met' });
    expect(judge({ actionStates: [after] }).exception).toBe(true);
  });

  it('an action unticked after the move still counts as done at the move', () => {
    const ticked = buildActionState({ done: true, at: new Date(MOVED_AT.getTime() - 1) });
    const unticked = buildActionState({ done: false, at: new Date(MOVED_AT.getTime() + 1) });

    expect(judge({ actionStates: [ticked, unticked] })).toEqual({ exception: false, reason: 'sop-met' });
  });

  it('a skip adds the open items of every skipped step', () => {
    const verdict = judge({ toStage: 'decisionmakerboughtin' });

    expect(verdict.exception && verdict.openItems.map((item) => item.id)).toEqual([
      'discovery-call',
      'run-demo',
    ]);
  });

  it('a move by an exempt user is no exception', () => {
    expect(judge({ movedBy: { source: 'CRM', userId: '9' } })).toEqual({
      exception: false,
      reason: 'exempt',
    });
  });

  it('revert never takes a deal out of a closed stage: such a move waits for a manager', () => {
    const verdict = judge({ toStage: 'closedwon' });

    expect(verdict.exception && verdict.mode).toBe('approve');
  });

  it('a move from a stage that follows no step, skipping none, is no exception', () => {
    expect(judge({ fromStage: 'closedwon', toStage: 'qualifiedtobuy' })).toEqual({
      exception: false,
      reason: 'no-step',
    });
  });
});

describe('the stages a move skipped', () => {
  it('are those between, in pipeline order, when moving forward', () => {
    expect(listSkippedStages(STAGES, 'qualifiedtobuy', 'closedwon')).toEqual([
      'presentationscheduled',
      'decisionmakerboughtin',
    ]);
  });

  it('are none when moving back', () => {
    expect(listSkippedStages(STAGES, 'decisionmakerboughtin', 'qualifiedtobuy')).toEqual([]);
  });
});

describe('who moved the deal', () => {
  it('a user move names the user', () => {
    expect(describeMoveSource('CRM', 'userId:101')).toEqual({ source: 'CRM', userId: '101' });
  });

  it('an integration write whose source is our app id is our own move; any other app is not', () => {
    expect(isAppOwnMove('INTEGRATION', '54321', 54321)).toBe(true);
    expect(isAppOwnMove('INTEGRATION', '11111', 54321)).toBe(false);
    expect(isAppOwnMove('CRM', 'userId:54321', 54321)).toBe(false);
  });
});

describe('enforcement in the playbook', () => {
  it('rejects an unknown mode, naming the field', () => {
    const result = parsePlaybook({
      ...buildPlaybook(),
      steps: [{ ...buildStep(), enforcement: { mode: 'block' } }],
    });

    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((error) => error.path)).toEqual(['steps.0.enforcement.mode']);
  });
});
