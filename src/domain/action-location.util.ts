import type { Playbook } from './playbook.schema';
import { resolveStepForStage } from './stage-step.util';

/**
 * Where a checklist action sits relative to a deal: in the step of its current stage (it can be
 * ticked), only in other steps (a stale card after the deal moved: a conflict, not a typo), or
 * nowhere in the playbook (unknown).
 */
export type ActionLocation =
  | { kind: 'current-step'; stepId: string }
  | { kind: 'other-step'; stepIds: string[]; currentStepId: string | null }
  | { kind: 'unknown' };

export function locateActionForDeal(
  playbook: Playbook,
  deal: { pipelineId: string; stageId: string },
  actionId: string,
): ActionLocation {
  const { step } = resolveStepForStage(playbook, deal.pipelineId, deal.stageId);
  if (step?.actions.some((action) => action.id === actionId)) {
    return { kind: 'current-step', stepId: step.id };
  }
  const stepIds = playbook.steps
    .filter((candidate) => candidate.actions.some((action) => action.id === actionId))
    .map((candidate) => candidate.id);
  if (stepIds.length === 0) return { kind: 'unknown' };
  return { kind: 'other-step', stepIds, currentStepId: step?.id ?? null };
}
