/**
 * "What would these enforcement settings have done lately?": recorded stage moves judged again, as
 * exception detection judges them, against a candidate playbook, tallied per step and per mode.
 */
import type { EnforcementMode, Playbook } from './playbook.schema';
import { isMoveIntoClosedStage, listUnmetSteps, type JudgeStageMoveInput } from './exception-detection.util';

export type RecordedStageMove = Omit<JudgeStageMoveInput, 'playbook'>;

export interface StepEnforcementPreview {
  stepId: string;
  title: string;
  /** The mode the candidate sets for the step. */
  mode: EnforcementMode;
  /** Recorded moves that left the step. */
  moves: number;
  /** Of those, moves with required actions open or checks failing (the step's, or a skipped step's). */
  unmet: number;
  /** Of the unmet moves, those made by a user the candidate exempts. */
  exempt: number;
  /** unmet − exempt: the moves that would have been exceptions. */
  caught: number;
  /** Of the caught moves, those into closed won or lost (`revert` asks a manager instead). */
  intoClosed: number;
  /** What each mode would have done with the caught moves. */
  ifMode: {
    advisory: { recorded: number };
    justify: { reasonsAsked: number };
    approve: { approvalsAsked: number };
    revert: { movedBack: number; approvalsAsked: number };
  };
}

/**
 * Each move counts for the step it left (or, leaving a stage with no step, the strictest step it
 * skipped with items open); exemption follows the step whose mode governs, as in detection.
 */
export function previewEnforcement(
  playbook: Playbook,
  moves: readonly RecordedStageMove[],
): StepEnforcementPreview[] {
  const tallies = new Map(
    playbook.steps.map((step) => [step.id, { moves: 0, unmet: 0, exempt: 0, intoClosed: 0 }]),
  );
  for (const move of moves) {
    const judged = listUnmetSteps({ ...move, playbook });
    const stepId = judged.left?.id ?? (judged.outcome === 'unmet' ? judged.governing.step.id : null);
    const tally = stepId === null ? undefined : tallies.get(stepId);
    if (!tally) continue;
    tally.moves += 1;
    if (judged.outcome !== 'unmet') continue;
    tally.unmet += 1;
    const userId = move.movedBy.userId;
    if (userId !== null && judged.governing.step.enforcement?.exemptUserIds?.includes(userId)) {
      tally.exempt += 1;
    } else if (isMoveIntoClosedStage(move)) {
      tally.intoClosed += 1;
    }
  }
  return playbook.steps.map((step) => {
    const { moves: count, unmet, exempt, intoClosed } = tallies.get(step.id)!;
    const caught = unmet - exempt;
    return {
      stepId: step.id,
      title: step.title,
      mode: step.enforcement?.mode ?? 'advisory',
      moves: count,
      unmet,
      exempt,
      caught,
      intoClosed,
      ifMode: {
        advisory: { recorded: caught },
        justify: { reasonsAsked: caught },
        approve: { approvalsAsked: caught },
        revert: { movedBack: caught - intoClosed, approvalsAsked: intoClosed },
      },
    };
  });
}
