/**
 * Where a deal stands against its SOP step: the checklist, the automatic checks, and whether it is
 * ready to move on. "Ready" means every required action is done and every check passes, which is
 * also what progress counts (DESIGN.md §3).
 */
import { evaluateCheck, findLatestActionState } from './check-rules.util';
import type { CheckResult } from './check-rules.util';
import type { ActionState, DealSnapshot } from './deal.types';
import type { PlaybookStep } from './playbook.schema';

export interface ActionProgress {
  id: string;
  title: string;
  required: boolean;
  done: boolean;
  doneBy: { userId: string; email: string | null } | null;
  /** ISO instant the action was ticked; null while it is not done. */
  doneAt: string | null;
}

export interface StepProgress {
  done: number;
  total: number;
}

export interface StepEvaluation {
  actions: ActionProgress[];
  checks: CheckResult[];
  progress: StepProgress;
  readyToAdvance: boolean;
  /** What stands between the deal and the next stage, one line each, in playbook order. */
  blockers: string[];
}

export interface EvaluateStepInput {
  deal: DealSnapshot;
  step: PlaybookStep;
  actionStates: readonly ActionState[];
  now: Date;
}

export function evaluateStep({ deal, step, actionStates, now }: EvaluateStepInput): StepEvaluation {
  const actions = step.actions.map((action): ActionProgress => {
    const state = findLatestActionState(actionStates, action.id);
    const done = state?.done ?? false;
    // An unticked action keeps its history in the log, but the card shows who did it only while done.
    return {
      id: action.id,
      title: action.title,
      required: action.required,
      done,
      doneBy: done && state?.by ? { userId: state.by.userId, email: state.by.email } : null,
      doneAt: done && state?.at ? state.at.toISOString() : null,
    };
  });
  const checks = step.checks.map((check) => evaluateCheck(check, deal, actionStates, now, step.actions));

  const requiredActions = actions.filter((action) => action.required);
  const done =
    requiredActions.filter((action) => action.done).length + checks.filter((check) => check.passed).length;
  const total = requiredActions.length + checks.length;

  const blockers = [
    ...requiredActions.filter((action) => !action.done).map((action) => `Not done: ${action.title}`),
    ...checks.filter((check) => !check.passed).map((check) => `${check.title}: ${check.detail ?? 'failed'}`),
  ];

  return { actions, checks, progress: { done, total }, readyToAdvance: done === total, blockers };
}
