import { previewEnforcement, type PipelineStageOrder, type RecordedStageMove } from '../../src/domain';
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
  { id: 'closedwon', displayOrder: 3, isClosed: true },
];

const playbook = buildPlaybook({
  pipelines: {
    default: {
      stages: { qualifiedtobuy: 'qualification', presentationscheduled: 'presentation', closedwon: null },
    },
  },
  steps: [
    buildStep({ actions: [buildAction()], enforcement: { mode: 'justify', exemptUserIds: ['9'] } }),
    buildStep({ id: 'presentation', title: 'Presentation' }),
  ],
});

const move = (overrides: Partial<RecordedStageMove> = {}) => buildRecordedMove(STAGES, overrides);

describe('previewing enforcement on recorded moves', () => {
  it('tallies, per step left, the moves, those unmet, those exempt, and what each mode would have done', () => {
    const done = [buildActionState({ at: new Date('2026-11-24T10:00:00.000Z') })];
    const [qualification, presentation] = previewEnforcement(playbook, [
      move(),
      move({ actionStates: done }),
      move({ movedBy: { source: 'CRM', userId: '9' } }),
      move({ toStage: 'closedwon' }),
      move({ fromStage: 'presentationscheduled', toStage: 'closedwon' }),
    ]);

    expect(qualification).toEqual({
      stepId: 'qualification',
      title: 'Qualification and needs assessment',
      mode: 'justify',
      moves: 4,
      unmet: 3,
      exempt: 1,
      caught: 2,
      intoClosed: 1,
      ifMode: {
        advisory: { recorded: 2 },
        justify: { reasonsAsked: 2 },
        approve: { approvalsAsked: 2 },
        revert: { movedBack: 1, approvalsAsked: 1 },
      },
    });
    // The presentation asks for nothing: its move out is met.
    expect(presentation).toMatchObject({
      stepId: 'presentation',
      mode: 'advisory',
      moves: 1,
      unmet: 0,
      caught: 0,
    });
  });

  it('a tick made after the move does not make the move met', () => {
    const late = [buildActionState({ at: new Date(MOVED_AT.getTime() + 60_000) })];

    const [qualification] = previewEnforcement(playbook, [move({ actionStates: late })]);

    expect(qualification).toMatchObject({ moves: 1, unmet: 1, caught: 1 });
  });
});
