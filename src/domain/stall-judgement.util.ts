/**
 * The stalled-deal sweep's judgement (STYLE.md principle 12): pure functions from what the sweep read
 * (deals, their playbooks and calendars, snoozes, the reminders earlier sweeps recorded, `now`) to the
 * list of intended actions. The sweep job carries the list out through the reminder outbox; a dry run
 * prints it. Judging is two steps because the second needs what the first asks for: the owners of the
 * deals whose escalation is due (read from HubSpot only then) and the reminders recorded under the
 * keys of the reminders due.
 */
import type { BusinessCalendar } from './business-days.util';
import type { DealSnapshot } from './deal.types';
import type { Playbook, PlaybookStep } from './playbook.schema';
import {
  buildReminderKey,
  decideRecordedReminderStep,
  type RecordedReminder,
  type RecordedReminderStep,
  type ReminderIdentity,
  type ReminderKind,
} from './reminder.util';
import { countReminderRound, selectActiveSnooze, type SnoozeWindow } from './snooze.util';
import { escalationDue, evaluateStall, resolveEscalationOwnerId, type StallEvaluation } from './stall.util';
import { resolveStepForStage } from './stage-step.util';

/** One deal as the sweep found it, with what it is judged by. */
export interface SweepCandidate<D extends DealSnapshot = DealSnapshot> {
  deal: D;
  /** The playbook pinned when the deal entered its stage (else the current one), and its calendar. */
  playbook: Playbook;
  calendar: BusinessCalendar;
  /** Every snooze given on the deal, oldest first; which of them holds is decided here. */
  snoozes: readonly SnoozeWindow[];
  /** sop_guide_stalled as last written to HubSpot; null before the first write. */
  writtenStalled: 'true' | 'false' | null;
}

export interface JudgeStallsInput<D extends DealSnapshot> {
  candidates: readonly SweepCandidate<D>[];
  now: Date;
  /** MANAGER_OWNER_ID: who gets escalations when the playbook names no manager. */
  managerOwnerId: string | null;
}

/** A deal found stalled, with the keys of the reminders its stall may make due. */
export interface StalledDeal<D extends DealSnapshot = DealSnapshot> {
  deal: D;
  step: PlaybookStep;
  playbook: Playbook;
  calendar: BusinessCalendar;
  stall: StallEvaluation;
  /** The owner's reminder, always; the escalation's too when one is due (its assignee is decided later). */
  due: Array<{ kind: ReminderKind; identity: ReminderIdentity; key: string }>;
  /** True when an escalation is due: the deal owner's teams decide who receives it. */
  escalate: boolean;
}

export interface StallVerdicts<D extends DealSnapshot> {
  stalled: StalledDeal<D>[];
  /** Deals a snooze keeps from being stalled. */
  snoozed: number;
  /**
   * Deals whose stall verdict differs from the sop_guide_stalled last written: HubSpot's property
   * follows time passing too, not only events.
   */
  stallChanged: string[];
  /** Deals that could not be judged (a playbook the domain chokes on): one deal never stops the rest. */
  failures: Array<{ deal: D; error: unknown }>;
}

/** Whether the playbook (or MANAGER_OWNER_ID) names anybody to escalate to. */
function namesAnyManager(playbook: Playbook, managerOwnerId: string | null): boolean {
  return (
    Object.keys(playbook.reminders?.teamManagers ?? {}).length > 0 ||
    (playbook.reminders?.managerOwnerId ?? managerOwnerId) !== null
  );
}

/** Step one: which deals are stalled, which are snoozed, and which reminders the stalled ones may need. */
export function judgeStalls<D extends DealSnapshot>({
  candidates,
  now,
  managerOwnerId,
}: JudgeStallsInput<D>): StallVerdicts<D> {
  const verdicts: StallVerdicts<D> = { stalled: [], snoozed: 0, stallChanged: [], failures: [] };
  for (const { deal, playbook, calendar, snoozes, writtenStalled } of candidates) {
    let stalledDeal;
    try {
      stalledDeal = judgeDeal(deal, playbook, calendar, snoozes, now, managerOwnerId);
    } catch (error) {
      verdicts.failures.push({ deal, error });
      continue;
    }
    if (stalledDeal === 'snoozed') verdicts.snoozed += 1;
    else if (stalledDeal !== null) verdicts.stalled.push(stalledDeal);
    const isStalled = stalledDeal !== null && stalledDeal !== 'snoozed';
    if ((isStalled ? 'true' : 'false') !== (writtenStalled ?? 'false'))
      verdicts.stallChanged.push(deal.dealId);
  }
  return verdicts;
}

function judgeDeal<D extends DealSnapshot>(
  deal: D,
  playbook: Playbook,
  calendar: BusinessCalendar,
  snoozes: readonly SnoozeWindow[],
  now: Date,
  managerOwnerId: string | null,
): StalledDeal<D> | 'snoozed' | null {
  const { step } = resolveStepForStage(playbook, deal.pipelineId, deal.stageId);
  if (step === null) return null;
  const snoozedUntil = selectActiveSnooze(snoozes, now, deal.stageEnteredAt)?.until ?? null;
  const stall = evaluateStall({ deal, step, now, calendar, snoozedUntil });
  if (!stall.stalled) return stall.snoozedUntil === null ? null : 'snoozed';
  const round = countReminderRound(snoozes, deal.stageEnteredAt, now);
  const escalate =
    namesAnyManager(playbook, managerOwnerId) &&
    escalationDue({ stall, step, reminders: playbook.reminders ?? null, now, calendar });
  const kinds: ReminderKind[] = escalate ? ['owner', 'escalation'] : ['owner'];
  return {
    deal,
    step,
    playbook,
    calendar,
    stall,
    escalate,
    due: kinds.map((kind) => {
      const identity: ReminderIdentity = {
        portalId: deal.portalId,
        dealId: deal.dealId,
        stageEnteredAt: deal.stageEnteredAt,
        kind,
        round,
      };
      return { kind, identity, key: buildReminderKey(identity) };
    }),
  };
}

/** What the sweep knows of a deal owner, from HubSpot's owners list. */
export interface DealOwnerSummary {
  teamIds: readonly string[];
  /** Shown to the manager in an escalation. */
  name: string | null;
}

export interface PlanReminderActionsInput<D extends DealSnapshot> {
  stalled: readonly StalledDeal<D>[];
  /**
   * The owners of the deals whose escalation is due, by deal id; null (or absent) for an owner
   * HubSpot does not list, whose escalation then goes to the playbook's manager.
   */
  dealOwners: ReadonlyMap<string, DealOwnerSummary | null>;
  /** What earlier sweeps recorded, by reminder key. */
  recorded: ReadonlyMap<string, RecordedReminder>;
  managerOwnerId: string | null;
  now: Date;
}

/** One reminder the sweep intends to see through, and what its recorded state says it takes. */
export interface ReminderAction<D extends DealSnapshot = DealSnapshot> {
  /** What the reminder's recorded state says it takes (the domain's decideRecordedReminderStep). */
  takes: Exclude<RecordedReminderStep, 'already-sent'>;
  stalledDeal: StalledDeal<D>;
  kind: ReminderKind;
  identity: ReminderIdentity;
  key: string;
  /** Who the task is for: the deal owner, or the manager for an escalation. */
  assigneeOwnerId: string | null;
  /** The deal owner's name, shown to the manager in an escalation. */
  dealOwnerName: string | null;
}

export interface ReminderPlan<D extends DealSnapshot> {
  /** By stalled deal, in the order the deals came. */
  actions: ReminderAction<D>[];
  /** Reminders due that an earlier sweep already sent. */
  alreadySent: number;
}

/**
 * Step two: the reminders due, with who gets each, sorted by what earlier sweeps recorded. A deal owner
 * who is their own manager, or a playbook naming nobody for their teams, leaves the owner's reminder as
 * the whole story.
 */
export function planReminderActions<D extends DealSnapshot>({
  stalled,
  dealOwners,
  recorded,
  managerOwnerId,
  now,
}: PlanReminderActionsInput<D>): ReminderPlan<D> {
  const plan: ReminderPlan<D> = { actions: [], alreadySent: 0 };
  for (const stalledDeal of stalled) {
    const { deal, playbook } = stalledDeal;
    const dealOwner = dealOwners.get(deal.dealId) ?? null;
    const escalationOwnerId = stalledDeal.escalate
      ? (resolveEscalationOwnerId(playbook.reminders ?? null, dealOwner?.teamIds ?? []) ?? managerOwnerId)
      : null;
    for (const due of stalledDeal.due) {
      const assigneeOwnerId = due.kind === 'owner' ? deal.ownerId : escalationOwnerId;
      if (due.kind === 'escalation' && (assigneeOwnerId === null || assigneeOwnerId === deal.ownerId))
        continue;
      const takes = decideRecordedReminderStep(recorded.get(due.key) ?? null, now);
      if (takes === 'already-sent') {
        plan.alreadySent += 1;
        continue;
      }
      plan.actions.push({
        takes,
        stalledDeal,
        kind: due.kind,
        identity: due.identity,
        key: due.key,
        assigneeOwnerId,
        dealOwnerName: due.kind === 'escalation' ? (dealOwner?.name ?? null) : null,
      });
    }
  }
  return plan;
}
