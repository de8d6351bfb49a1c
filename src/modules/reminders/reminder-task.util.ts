/**
 * What a stalled-deal reminder says and where the sweep starts looking, as pure functions of their
 * inputs (no clock, no I/O), so that the wording and the cutoff maths are tested on their own.
 */
import { createHash } from 'node:crypto';
import {
  addCalendarDays,
  countBusinessDaysBetween,
  type BusinessCalendar,
  type Playbook,
} from '../../domain';
import type { StallEvaluation } from '../../domain';
import type { NewTask, TaskPriority } from '../../platform/hubspot/tasks.api';
import type { ReminderKind } from '../../platform/db';

export const REMINDER_MARKER_PREFIX = 'sopref';
/** Local hour a reminder task is due on the next business day: the start of a rep's morning. */
export const REMINDER_DUE_HOUR_LOCAL = 9;
const PRIORITY_BY_KIND: Record<ReminderKind, TaskPriority> = { owner: 'MEDIUM', escalation: 'HIGH' };

/**
 * The token written into a reminder task's body. HubSpot's search matches whole tokens of letters and
 * digits only, so the marker is one such token derived from the reminder key: after a create whose
 * answer was lost, searching for it tells whether the task exists.
 */
export function buildReminderMarker(reminderKey: string): string {
  return REMINDER_MARKER_PREFIX + createHash('sha256').update(reminderKey).digest('hex').slice(0, 24);
}

export function buildDealUrl(portalId: number, dealId: string): string {
  return `https://app.hubspot.com/contacts/${portalId}/record/0-3/${dealId}`;
}

/** The number a rep recognises: business days in stage when that stalled it, else days without activity. */
export function countDaysStalled(stall: StallEvaluation): number {
  if (stall.reason === 'no-activity' && stall.noActivityDays !== null) return stall.noActivityDays;
  return stall.daysInStage;
}

/**
 * The latest stage entry that could be stalled at `now` under this playbook, or null when no step of
 * it ever stalls. The sweep asks the store only for deals that entered their stage before it, so most
 * deals (fresh in their stage) are never read.
 *
 * Both stall signals need whole local days since the stage entry (business days in stage, or calendar
 * days since the last touch, which is never before the entry), and business days never outnumber
 * calendar days; so a deal stalls only if its entry's local date lies at least `days` calendar days
 * before today's, with weekends and holidays pushing it further back. The bound returned is safe:
 * every entry before the start of that local date is before it.
 */
export function findLatestStallableEntry(
  playbook: Playbook,
  now: Date,
  calendar: BusinessCalendar,
): Date | null {
  let latest: Date | null = null;
  const consider = (candidate: Date) => {
    if (latest === null || candidate > latest) latest = candidate;
  };
  for (const step of playbook.steps) {
    if (step.stallAfterBusinessDays !== undefined) {
      consider(latestEntryForBusinessDays(step.stallAfterBusinessDays, now, calendar));
    }
    if (step.noActivityStallDays !== undefined) {
      // `now`'s time of day on the day after the latest stallable date: later than any instant of that date.
      consider(addCalendarDays(now, -(step.noActivityStallDays - 1), calendar.timeZone));
    }
  }
  return latest;
}

function latestEntryForBusinessDays(threshold: number, now: Date, calendar: BusinessCalendar): Date {
  // Walk back one local day at a time (at most the threshold plus weekends and holidays) to the latest
  // date whose business-day count to today reaches the threshold.
  let daysBack = threshold;
  while (
    countBusinessDaysBetween(addCalendarDays(now, -daysBack, calendar.timeZone), now, calendar) < threshold
  ) {
    daysBack += 1;
  }
  return addCalendarDays(now, -(daysBack - 1), calendar.timeZone);
}

export interface ReminderTaskInput {
  kind: ReminderKind;
  portalId: number;
  dealId: string;
  dealName: string | null;
  stepTitle: string;
  stageLabel: string;
  stall: StallEvaluation;
  /** What stands between the deal and its next stage, from the step evaluation. */
  blockers: readonly string[];
  /** Who gets the task: the deal owner, or the manager for an escalation. */
  assigneeOwnerId: string | null;
  /** The deal owner's name, shown to the manager in an escalation. */
  dealOwnerName: string | null;
  businessDaysStalled: number;
  marker: string;
  dueAt: Date;
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

function describeStall(stall: StallEvaluation): string[] {
  const lines = [
    stall.thresholdDays === null
      ? `In this stage for ${plural(stall.daysInStage, 'business day')}.`
      : `In this stage for ${plural(stall.daysInStage, 'business day')} (the SOP allows ${stall.thresholdDays}).`,
  ];
  if (stall.noActivityDays !== null) {
    lines.push(`No logged activity for ${plural(stall.noActivityDays, 'day')}.`);
  }
  return lines;
}

/** The HubSpot task of one reminder. The body is HubSpot's rich text (HTML); every value from a deal is escaped. */
export function buildReminderTask(input: ReminderTaskInput): NewTask {
  const dealLabel = input.dealName?.trim() ? input.dealName.trim() : `Deal ${input.dealId}`;
  const url = buildDealUrl(input.portalId, input.dealId);
  const subject =
    input.kind === 'owner'
      ? `Stalled deal: ${dealLabel} (${input.stepTitle})`
      : `Escalation: ${dealLabel} stalled for ${plural(input.businessDaysStalled, 'business day')}`;
  const intro =
    input.kind === 'owner'
      ? `This deal has stalled at the SOP step "${input.stepTitle}" (stage ${input.stageLabel}).`
      : `This deal has stayed stalled at the SOP step "${input.stepTitle}" (stage ${input.stageLabel}) ` +
        `for ${plural(input.businessDaysStalled, 'business day')}` +
        (input.dealOwnerName ? `; its owner is ${input.dealOwnerName}.` : '.');
  const missing =
    input.blockers.length === 0
      ? '<p>Nothing on the checklist is missing: the deal needs a next step with the buyer.</p>'
      : `<p>What is missing:</p><ul>${input.blockers.map((blocker) => `<li>${escapeHtml(blocker)}</li>`).join('')}</ul>`;
  const body = [
    `<p>${escapeHtml(intro)}</p>`,
    ...describeStall(input.stall).map((line) => `<p>${escapeHtml(line)}</p>`),
    missing,
    `<p>Open the deal: <a href="${url}">${url}</a></p>`,
    // The marker stays a token of its own so HubSpot's search can find the task again.
    `<p>Reminder ref: ${input.marker}</p>`,
  ].join('');
  return {
    dealId: input.dealId,
    subject,
    body,
    dueAt: input.dueAt,
    ownerId: input.assigneeOwnerId,
    priority: PRIORITY_BY_KIND[input.kind],
    key: input.marker,
  };
}
