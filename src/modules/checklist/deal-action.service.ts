import { findLatestActionState, locateActionForDeal, type DealGuidance } from '../../domain';
import { AppError } from '../../platform/errors/app-error';
import type { GuidanceService } from '../guidance';
import type { Logger } from '../../platform/observability/logger';
import type { PlaybookService } from '../playbooks';
import type { Store } from '../../platform/db';
import type { DealWritebackService } from '../writeback';

export interface ActionToggle {
  portalId: number;
  dealId: string;
  actionId: string;
  done: boolean;
  note?: string;
  userId: string;
  userEmail: string | null;
  now: Date;
}

/**
 * A rep ticks or unticks a checklist action. The log is append-only (an undo is a new entry) and
 * scoped to the deal's current stage entry and step, so a deal that comes back to a stage starts over.
 */
export interface DealActionService {
  /** Records the toggle and answers the deal's recomputed guidance. */
  toggleAction(toggle: ActionToggle): Promise<DealGuidance>;
}

export function createDealActionService(deps: {
  store: Store;
  guidance: GuidanceService;
  playbooks: PlaybookService;
  writeback: Pick<DealWritebackService, 'markDealsChanged'>;
  logger: Logger;
}): DealActionService {
  const { store, guidance, playbooks, writeback, logger } = deps;
  return {
    async toggleAction(toggle) {
      const { portalId, dealId, actionId, now } = toggle;
      const deal = await guidance.loadDeal(portalId, dealId, now);
      // The pinned version: the card showed this step's checklist, so the tick is judged against it.
      const { playbook } = await playbooks.forPinnedVersion(portalId, deal.playbookVersion);
      const location = locateActionForDeal(playbook, deal, actionId);
      if (location.kind === 'unknown') {
        throw new AppError('NOT_FOUND', `Action ${actionId} is in no step of this deal's playbook`);
      }
      if (location.kind === 'other-step') {
        // Most likely a card opened before the deal moved: tell the rep to reload, not that the action is gone.
        throw new AppError(
          'CONFLICT',
          `Action ${actionId} belongs to step ${location.stepIds.join(', ')}, not to the deal's current step` +
            (location.currentStepId ? ` (${location.currentStepId})` : '') +
            '. Reload the card.',
          { actionId, actionStepIds: location.stepIds, currentStepId: location.currentStepId },
        );
      }

      const scope = { stageEnteredAt: deal.stageEnteredAt, stepId: location.stepId };
      const latest = findLatestActionState(
        await store.actions.listActionStates(portalId, dealId, scope),
        actionId,
      );
      const unchanged =
        (latest?.done ?? false) === toggle.done &&
        (toggle.note === undefined || toggle.note === (latest?.note ?? null));
      // A retried or double-clicked request changes nothing: the trail records changes, not clicks.
      if (!unchanged) {
        await store.actions.appendActionCompletion({
          portalId,
          dealId,
          ...scope,
          actionId,
          done: toggle.done,
          userId: toggle.userId,
          userEmail: toggle.userEmail,
          note: toggle.note ?? null,
          at: now,
        });
        // HubSpot is written in the background: the rep's click never waits for it.
        await writeback.markDealsChanged(portalId, [dealId], now).catch((error: unknown) => {
          logger.warn('could not mark the deal for write-back; the next change catches up', {
            portalId,
            dealId,
            error,
          });
        });
      }
      return guidance.getGuidanceOfDeal(deal, now);
    },
  };
}
