import {
  buildBusinessCalendar,
  foldActionCompletions,
  selectActiveSnooze,
  type BusinessCalendar,
  type DealSnapshot,
  type ScopedActionState,
} from '../../domain';
import type { Store } from '../../platform/db';
import type { ActionCompletion } from '../checklist';
import type { Snooze } from '../snoozes';
import type { VersionedPlaybook } from '../playbooks';
import type { PortalRegistry } from '../portals';

/**
 * What the domain needs besides the deal to evaluate it: the playbook it is judged by, the calendar
 * business days are counted in, its checklist and the snooze in force. The card, the impact preview
 * and the sweep all load it here, so they judge a deal alike.
 */
export interface EvaluationContext extends JudgingPlaybook {
  /** The checklist of the deal's current stage entry. */
  actionStates: ScopedActionState[];
  snoozedUntil: Date | null;
}

/** A playbook with the calendar of the portal that judges by it. */
export interface JudgingPlaybook extends VersionedPlaybook {
  calendar: BusinessCalendar;
}

export interface EvaluationContextDeps {
  store: Pick<Store, 'actions' | 'snoozes'>;
  portals: Pick<PortalRegistry, 'timeZoneOf'>;
}

export interface LoadEvaluationContextOptions {
  /** The deal's snoozes, oldest first, when the caller read them with a page of deals (the sweep). */
  snoozes?: readonly Snooze[];
  /** The deal's checklist log, oldest first, when the caller read it with many deals (the write-back). */
  completions?: readonly ActionCompletion[];
}

export function withBusinessCalendar(
  portals: Pick<PortalRegistry, 'timeZoneOf'>,
  portalId: number,
  { version, playbook }: VersionedPlaybook,
): JudgingPlaybook {
  return { version, playbook, calendar: buildBusinessCalendar(playbook, portals.timeZoneOf(portalId)) };
}

/**
 * The evaluation context of a deal judged by `playbook`: the version pinned when it entered its stage
 * (PlaybookService.forPinnedVersion) for the card and the sweep, a candidate for the impact preview.
 * The checklist and the snooze are those of the deal's current stage entry.
 */
export async function loadEvaluationContext(
  deps: EvaluationContextDeps,
  deal: DealSnapshot,
  now: Date,
  playbook: VersionedPlaybook | JudgingPlaybook,
  options: LoadEvaluationContextOptions = {},
): Promise<EvaluationContext> {
  const { portalId, dealId, stageEnteredAt } = deal;
  const judging = 'calendar' in playbook ? playbook : withBusinessCalendar(deps.portals, portalId, playbook);
  const [actionStates, snoozedUntil] = await Promise.all([
    options.completions === undefined
      ? deps.store.actions.listActionStates(portalId, dealId, { stageEnteredAt })
      : foldActionCompletions(
          options.completions.filter((entry) => entry.stageEnteredAt.getTime() === stageEnteredAt.getTime()),
        ),
    options.snoozes === undefined
      ? deps.store.snoozes
          .getActiveSnooze(portalId, dealId, now, { stageEnteredAt })
          .then((snooze) => snooze?.until ?? null)
      : (selectActiveSnooze(options.snoozes, now, stageEnteredAt)?.until ?? null),
  ]);
  return { ...judging, actionStates, snoozedUntil };
}
