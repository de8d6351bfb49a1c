/**
 * The card's whole answer for one deal (DESIGN.md §3 "Guidance response"), computed from the deal,
 * the portal's playbook and the action log as of `now`.
 */
import { countBusinessDaysBetween } from './business-days.util';
import type { BusinessCalendar } from './business-days.util';
import type { CheckResult } from './check-rules.util';
import type { ActionState, DealSnapshot } from './deal.types';
import type { Playbook } from './playbook.schema';
import { resolveStepForStage } from './stage-step.util';
import { evaluateStall } from './stall.util';
import type { StallEvaluation } from './stall.util';
import { evaluateStep } from './step-evaluation.util';
import type { ActionProgress, StepProgress } from './step-evaluation.util';

export interface GuidanceStep {
  id: string;
  title: string;
  guidance: string;
  playbookVersion: number;
  sopUrl?: string;
}

export interface DealGuidance {
  dealId: string;
  portalId: number;
  pipelineId: string;
  stage: { id: string; label: string; enteredAt: string };
  step: GuidanceStep | null;
  /** Why there is no step; present only when `step` is null. */
  reason?: string;
  actions: ActionProgress[];
  checks: CheckResult[];
  progress: StepProgress;
  readyToAdvance: boolean;
  blockers: string[];
  stall: StallEvaluation;
}

export interface EvaluateDealGuidanceInput {
  deal: DealSnapshot;
  playbook: Playbook;
  playbookVersion: number;
  /** The stage's label from HubSpot's pipeline; the stage id stands in when it is unknown. */
  stageLabel: string | null;
  actionStates: readonly ActionState[];
  now: Date;
  calendar: BusinessCalendar;
  snoozedUntil?: Date | null;
}

/** The calendar business days are counted on: the playbook may pin a time zone and lists the holidays. */
export function buildBusinessCalendar(playbook: Playbook, portalTimeZone: string): BusinessCalendar {
  return {
    timeZone: playbook.calendar?.timeZone ?? portalTimeZone,
    holidays: playbook.calendar?.holidays ?? [],
  };
}

export function evaluateDealGuidance(input: EvaluateDealGuidanceInput): DealGuidance {
  const { deal, playbook, playbookVersion, stageLabel, actionStates, now, calendar, snoozedUntil } = input;
  const base = {
    dealId: deal.dealId,
    portalId: deal.portalId,
    pipelineId: deal.pipelineId,
    stage: {
      id: deal.stageId,
      label: stageLabel ?? deal.stageId,
      enteredAt: deal.stageEnteredAt.toISOString(),
    },
  };

  const resolution = resolveStepForStage(playbook, deal.pipelineId, deal.stageId);
  if (resolution.step === null) {
    return {
      ...base,
      step: null,
      reason: resolution.reason,
      actions: [],
      checks: [],
      progress: { done: 0, total: 0 },
      // Without a step there is nothing to be ready for: the card must not suggest moving on.
      readyToAdvance: false,
      blockers: [],
      stall: {
        stalled: false,
        daysInStage: countBusinessDaysBetween(deal.stageEnteredAt, now, calendar),
        thresholdDays: null,
        reason: null,
        pausedUntil: null,
        snoozedUntil: null,
        noActivityDays: null,
        stalledSince: null,
      },
    };
  }

  const { step } = resolution;
  const evaluation = evaluateStep({ deal, step, actionStates, now });
  return {
    ...base,
    step: {
      id: step.id,
      title: step.title,
      guidance: step.guidance,
      playbookVersion,
      ...(step.sopUrl === undefined ? {} : { sopUrl: step.sopUrl }),
    },
    ...evaluation,
    stall: evaluateStall({ deal, step, now, calendar, snoozedUntil: snoozedUntil ?? null }),
  };
}
