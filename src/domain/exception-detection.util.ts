/**
 * Exceptions (DESIGN.md §7): a deal that left a stage, or skipped stages, with its SOP unmet. These
 * rules judge one move from plain data; the exceptions module gathers that data (the projection, the
 * checklist log, the pinned playbook, HubSpot's stage order) and records what they return.
 */
import type { ActionState, DealSnapshot } from './deal.types';
import type { EnforcementMode, Playbook, PlaybookStep } from './playbook.schema';
import { resolveStepForStage } from './stage-step.util';
import { evaluateCheck, findLatestActionState } from './check-rules.util';

export const DEFAULT_JUSTIFY_WITHIN_BUSINESS_HOURS = 8;

/** Stricter modes win when a skip crosses several steps: advisory < justify < approve < revert. */
const MODE_STRICTNESS: Record<EnforcementMode, number> = { advisory: 0, justify: 1, approve: 2, revert: 3 };

/** HubSpot's changeSource for writes made through the API by an app (ours included). */
const APP_CHANGE_SOURCES = new Set(['INTEGRATION', 'API']);
const USER_SOURCE_PATTERN = /^userId:(\d+)$/;
const APP_SOURCE_PATTERN = /^(?:appId:)?(\d+)$/;

export interface OpenItem {
  kind: 'action' | 'check';
  id: string;
  title: string;
  /** The step the item belongs to: the step left, or one the move skipped. */
  stepId: string;
  detail?: string;
}

export interface MoveSource {
  /** HubSpot's changeSource (CRM, WORKFLOW, IMPORT, INTEGRATION...), 'UNKNOWN' when the event had none. */
  source: string;
  /** The HubSpot user who moved the deal, when the event names one ("userId:101"). */
  userId: string | null;
}

/** Who moved the deal, as the webhook tells it. */
export function describeMoveSource(changeSource: string | null, sourceId: string | null): MoveSource {
  const user = sourceId ? USER_SOURCE_PATTERN.exec(sourceId) : null;
  return { source: changeSource ?? 'UNKNOWN', userId: user?.[1] ?? null };
}

/**
 * A move the app made itself (a revert, a rejection): HubSpot reports an API write with the writing
 * app's id as its source, and the webhook's appId is ours. Told by the event, never by timing.
 */
export function isAppOwnMove(changeSource: string | null, sourceId: string | null, appId: number | null) {
  if (appId === null || changeSource === null || sourceId === null) return false;
  if (!APP_CHANGE_SOURCES.has(changeSource)) return false;
  return APP_SOURCE_PATTERN.exec(sourceId)?.[1] === String(appId);
}

/** The stage entry a move left: one exception at most per entry, whatever the number of events about it. */
export function buildExceptionKey(dealId: string, fromStage: string, fromEnteredAt: Date): string {
  return `${dealId}:${fromStage}:${fromEnteredAt.getTime()}`;
}

export interface PipelineStageOrder {
  id: string;
  displayOrder: number;
  isClosed: boolean;
}

/**
 * The stages a forward move jumped over, in pipeline order. A move backwards, or between stages
 * HubSpot no longer lists, skips nothing.
 */
export function listSkippedStages(
  stages: readonly PipelineStageOrder[],
  fromStage: string,
  toStage: string,
): string[] {
  const from = stages.find((stage) => stage.id === fromStage);
  const to = stages.find((stage) => stage.id === toStage);
  if (!from || !to || to.displayOrder <= from.displayOrder) return [];
  return [...stages]
    .filter((stage) => stage.displayOrder > from.displayOrder && stage.displayOrder < to.displayOrder)
    .sort((a, b) => a.displayOrder - b.displayOrder)
    .map((stage) => stage.id);
}

export interface JudgeStageMoveInput {
  /** The playbook pinned to the stage entry left. */
  playbook: Playbook;
  /** The deal's data (properties, associations) that the checks read. */
  deal: DealSnapshot;
  fromStage: string;
  toStage: string;
  /** The pipeline's stages (HubSpot's order); empty when unknown, then no step counts as skipped. */
  stages: readonly PipelineStageOrder[];
  /** The checklist of the stage entry left, as it stood at the move. */
  actionStates: readonly ActionState[];
  movedAt: Date;
  movedBy: MoveSource;
}

export type StageMoveVerdict =
  | { exception: false; reason: 'sop-met' | 'no-step' | 'exempt' }
  | {
      exception: true;
      /** The step left, or the first skipped step when the stage left follows none. */
      stepId: string;
      mode: EnforcementMode;
      openItems: OpenItem[];
      justifyWithinBusinessHours: number;
    };

/**
 * Whether a move leaves the SOP unmet, judged as of the move: the step left and every step skipped
 * (stages mapped to the destination's own step are not skipped steps). The strictest mode among the
 * steps with open items applies, and a move by a user exempted there creates nothing. `revert` never
 * takes a deal out of a closed stage on its own: such a move waits for a manager (`approve`).
 */
export function judgeStageMove(input: JudgeStageMoveInput): StageMoveVerdict {
  const judged = listUnmetSteps(input);
  if (judged.outcome !== 'unmet') return { exception: false, reason: judged.outcome };
  const { governing, unmet, left } = judged;
  const enforcement = governing.step.enforcement;
  const userId = input.movedBy.userId;
  if (userId !== null && enforcement?.exemptUserIds?.includes(userId))
    return { exception: false, reason: 'exempt' };

  const mode = modeOf(governing.step);
  return {
    exception: true,
    stepId: (left ?? governing.step).id,
    mode: mode === 'revert' && isMoveIntoClosedStage(input) ? 'approve' : mode,
    openItems: unmet.flatMap(({ openItems }) => openItems),
    justifyWithinBusinessHours:
      enforcement?.justifyWithinBusinessHours ?? DEFAULT_JUSTIFY_WITHIN_BUSINESS_HOURS,
  };
}

interface UnmetStep {
  step: PlaybookStep;
  openItems: OpenItem[];
}

type UnmetSteps =
  | { outcome: 'no-step' | 'sop-met'; left: PlaybookStep | null }
  | { outcome: 'unmet'; left: PlaybookStep | null; unmet: UnmetStep[]; governing: UnmetStep };

/**
 * The steps a move left unmet: the step left and every step skipped (stages mapped to the destination's
 * own step are not skipped steps), and among them the one whose mode governs (the strictest).
 */
export function listUnmetSteps(input: JudgeStageMoveInput): UnmetSteps {
  const { playbook, deal, fromStage, toStage } = input;
  const destination = resolveStepForStage(playbook, deal.pipelineId, toStage).step;
  const left = resolveStepForStage(playbook, deal.pipelineId, fromStage).step;
  const judged: PlaybookStep[] = [];
  const consider = (step: PlaybookStep | null) => {
    if (!step || step.id === destination?.id || judged.some((seen) => seen.id === step.id)) return;
    judged.push(step);
  };
  consider(left);
  for (const stageId of listSkippedStages(input.stages, fromStage, toStage)) {
    consider(resolveStepForStage(playbook, deal.pipelineId, stageId).step);
  }
  if (judged.length === 0) return { outcome: 'no-step', left };

  const unmet = judged
    .map((step) => ({ step, openItems: listOpenItems(step, input) }))
    .filter(({ openItems }) => openItems.length > 0);
  if (unmet.length === 0) return { outcome: 'sop-met', left };
  const governing = unmet.reduce((strictest, candidate) =>
    MODE_STRICTNESS[modeOf(candidate.step)] > MODE_STRICTNESS[modeOf(strictest.step)] ? candidate : strictest,
  );
  return { outcome: 'unmet', left, unmet, governing };
}

/** A move into closed won or lost: `revert` never takes a deal out of one on its own. */
export function isMoveIntoClosedStage(input: Pick<JudgeStageMoveInput, 'stages' | 'toStage'>): boolean {
  return input.stages.find((stage) => stage.id === input.toStage)?.isClosed ?? false;
}

export function modeOf(step: PlaybookStep): EnforcementMode {
  return step.enforcement?.mode ?? 'advisory';
}

/**
 * The step's required actions not done and checks failing, as of the move. The same rules as the card's
 * evaluateStep (an action is done when its latest tick says so; checks through evaluateCheck), without
 * what only the card shows (progress, blockers, who ticked what): detection runs for every stage move.
 */
function listOpenItems(step: PlaybookStep, input: JudgeStageMoveInput): OpenItem[] {
  // Only ticks made before the move count: a box ticked afterwards does not undo the skip.
  const movedAtMs = input.movedAt.getTime();
  const actionStates = input.actionStates.filter(
    (state) => state.at === null || state.at.getTime() <= movedAtMs,
  );
  const openItems: OpenItem[] = [];
  for (const action of step.actions) {
    if (!action.required || findLatestActionState(actionStates, action.id)?.done) continue;
    openItems.push({ kind: 'action', id: action.id, title: action.title, stepId: step.id });
  }
  for (const check of step.checks) {
    const result = evaluateCheck(check, input.deal, actionStates, input.movedAt, step.actions);
    if (result.passed) continue;
    openItems.push({
      kind: 'check',
      id: check.id,
      title: check.title,
      stepId: step.id,
      ...(result.detail ? { detail: result.detail } : {}),
    });
  }
  return openItems;
}
