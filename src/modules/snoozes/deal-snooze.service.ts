import { MAX_SNOOZE_DAYS } from '../../domain';
import type { Store } from '../../platform/db';
import { AppError } from '../../platform/errors/app-error';
import type { GuidanceService } from '../guidance';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface SnoozeRequest {
  portalId: number;
  dealId: string;
  userId: string;
  userEmail: string | null;
  until: Date;
  reason: string;
  now: Date;
}

export interface DealSnoozeService {
  /** Records the snooze for the deal's current stage entry and answers the deal's guidance as it now stands. */
  snoozeDeal(request: SnoozeRequest): ReturnType<GuidanceService['getGuidanceOfDeal']>;
}

/**
 * A rep silences the stall warning (and its reminders) until a time, saying why. The snooze is recorded
 * with who gave it (user id and email, as action ticks are) and for which stage entry (moving the deal
 * ends it), and stays in the deal's history.
 */
export function createDealSnoozeService(deps: {
  store: Store;
  guidance: Pick<GuidanceService, 'loadDeal' | 'getGuidanceOfDeal'>;
}): DealSnoozeService {
  const { store, guidance } = deps;
  return {
    async snoozeDeal({ portalId, dealId, userId, userEmail, until, reason, now }) {
      if (until.getTime() <= now.getTime()) {
        throw new AppError('BAD_REQUEST', 'until: expected a time in the future', {
          issues: [{ path: 'until', message: 'must be in the future' }],
        });
      }
      if (until.getTime() - now.getTime() > MAX_SNOOZE_DAYS * DAY_MS) {
        throw new AppError('BAD_REQUEST', `until: a snooze lasts at most ${MAX_SNOOZE_DAYS} days`, {
          issues: [{ path: 'until', message: `must be within ${MAX_SNOOZE_DAYS} days` }],
        });
      }
      const deal = await guidance.loadDeal(portalId, dealId, now);
      await store.snoozes.addSnooze({
        portalId,
        dealId,
        until,
        stageEnteredAt: deal.stageEnteredAt,
        reason,
        userId,
        userEmail,
        now,
      });
      return guidance.getGuidanceOfDeal(deal, now);
    },
  };
}
