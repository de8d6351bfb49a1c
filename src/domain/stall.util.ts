/**
 * Whether a deal is stalled in its stage, and whether its stall deserves an escalation.
 *
 * Two signals, either one stalls a deal: too many business days in the stage (the step's
 * stallAfterBusinessDays) and, when the step asks for it, too many calendar days with no logged
 * activity. A scheduled next activity in the future or a snooze set by the rep silences both: the
 * rep already has a plan, and nagging them would teach them to ignore reminders.
 */
import {
  addBusinessDays,
  addCalendarDays,
  countBusinessDaysBetween,
  countCalendarDaysBetween,
} from './business-days.util';
import type { BusinessCalendar } from './business-days.util';
import type { DealSnapshot } from './deal.types';
import type { PlaybookReminders, PlaybookStep } from './playbook.schema';

export type StallReason = 'in-stage-too-long' | 'no-activity';

export interface StallEvaluation {
  stalled: boolean;
  /** Business days since the deal entered its stage. */
  daysInStage: number;
  /** The step's stallAfterBusinessDays; null when the step never stalls by time in stage. */
  thresholdDays: number | null;
  reason: StallReason | null;
  /** ISO instant of the scheduled next activity that holds the stall clock, when one lies ahead. */
  pausedUntil: string | null;
  /** ISO instant a snooze in force ends; null when no snooze is in force. */
  snoozedUntil: string | null;
  /** Calendar days without activity; null when the step has no noActivityStallDays. */
  noActivityDays: number | null;
  /** ISO instant the deal became stalled; null when it is not stalled. */
  stalledSince: string | null;
}

export interface EvaluateStallInput {
  deal: DealSnapshot;
  step: PlaybookStep;
  now: Date;
  calendar: BusinessCalendar;
  snoozedUntil?: Date | null;
}

interface StallSignal {
  reason: StallReason;
  since: Date;
}

/**
 * Moving a deal to a stage is itself a touch: without this, a deal whose last call is months old
 * would be flagged for inactivity the moment it enters a new stage.
 */
function findLastTouch(deal: DealSnapshot): Date {
  const { lastActivityAt, stageEnteredAt } = deal;
  return lastActivityAt && lastActivityAt > stageEnteredAt ? lastActivityAt : stageEnteredAt;
}

function isAfter(instant: Date | null | undefined, now: Date): instant is Date {
  return instant !== null && instant !== undefined && instant.getTime() > now.getTime();
}

export function evaluateStall({
  deal,
  step,
  now,
  calendar,
  snoozedUntil,
}: EvaluateStallInput): StallEvaluation {
  const daysInStage = countBusinessDaysBetween(deal.stageEnteredAt, now, calendar);
  const thresholdDays = step.stallAfterBusinessDays ?? null;
  const lastTouch = findLastTouch(deal);
  const noActivityDays =
    step.noActivityStallDays === undefined
      ? null
      : Math.max(0, countCalendarDaysBetween(lastTouch, now, calendar.timeZone));

  const signals: StallSignal[] = [];
  if (thresholdDays !== null && daysInStage >= thresholdDays) {
    signals.push({
      reason: 'in-stage-too-long',
      since: addBusinessDays(deal.stageEnteredAt, thresholdDays, calendar),
    });
  }
  if (
    step.noActivityStallDays !== undefined &&
    noActivityDays !== null &&
    noActivityDays >= step.noActivityStallDays
  ) {
    signals.push({
      reason: 'no-activity',
      since: addCalendarDays(lastTouch, step.noActivityStallDays, calendar.timeZone),
    });
  }

  const pausedUntil = isAfter(deal.nextActivityAt, now) ? deal.nextActivityAt.toISOString() : null;
  const snoozeEnd = isAfter(snoozedUntil, now) ? snoozedUntil.toISOString() : null;
  const [firstSignal] = signals;
  const stalled = firstSignal !== undefined && pausedUntil === null && snoozeEnd === null;
  const earliestSince = signals.reduce<Date | null>(
    (earliest, signal) => (earliest === null || signal.since < earliest ? signal.since : earliest),
    null,
  );

  return {
    stalled,
    daysInStage,
    thresholdDays,
    reason: stalled ? firstSignal.reason : null,
    pausedUntil,
    snoozedUntil: snoozeEnd,
    noActivityDays,
    stalledSince: stalled && earliestSince ? earliestSince.toISOString() : null,
  };
}

export interface EscalationInput {
  stall: StallEvaluation;
  step: PlaybookStep;
  reminders?: PlaybookReminders | null;
  now: Date;
  calendar: BusinessCalendar;
}

/** Business days a stall may last before the manager hears of it: the step's own policy, else the playbook's. */
export function resolveEscalateAfterBusinessDays(
  step: PlaybookStep,
  reminders?: PlaybookReminders | null,
): number | null {
  return step.escalateAfterBusinessDays ?? reminders?.escalateAfterBusinessDays ?? null;
}

/** True once a deal has stayed stalled for escalateAfterBusinessDays business days beyond its threshold. */
export function escalationDue({ stall, step, reminders, now, calendar }: EscalationInput): boolean {
  const escalateAfter = resolveEscalateAfterBusinessDays(step, reminders);
  if (escalateAfter === null || !stall.stalled || stall.stalledSince === null) return false;
  return countBusinessDaysBetween(new Date(stall.stalledSince), now, calendar) >= escalateAfter;
}

/**
 * Who receives an escalation: the manager of the owner's team when the playbook names one, else
 * the playbook's manager. Null when the playbook names nobody (the reminder then stays with the owner).
 */
export function resolveEscalationOwnerId(
  reminders: PlaybookReminders | null | undefined,
  ownerTeamIds: readonly string[],
): string | null {
  for (const teamId of ownerTeamIds) {
    const managerOwnerId = reminders?.teamManagers?.[teamId];
    if (managerOwnerId) return managerOwnerId;
  }
  return reminders?.managerOwnerId ?? null;
}
