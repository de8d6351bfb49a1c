import type { Clock } from '../../platform/clock';
import type { Store } from '../../platform/db';
import type { GuidanceService } from '../guidance';
import { Router } from 'express';
import {
  snoozeBodySchema,
  snoozeResponseSchema,
} from '../../../extensions/app/cards/src/guidance-response.schema';
import { MAX_SNOOZE_DAYS } from '../../domain';
import { AppError } from '../../platform/errors/app-error';
import { parseBody, readCardRequestContext, readDealId } from '../../platform/http/card-request-context';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * POST /api/v1/deals/:dealId/snooze — a rep silences the stall warning (and its reminders) until a
 * time, saying why. The snooze is recorded with who gave it (user id and email, as action ticks are)
 * and for which stage entry (moving the deal ends it), and stays in the deal's history; the answer is
 * the deal's guidance as it now stands.
 */
export function createSnoozeRouter({
  guidance,
  store,
  clock,
}: {
  guidance: GuidanceService;
  store: Store;
  clock: Clock;
}): Router {
  const router = Router();
  router.post('/deals/:dealId/snooze', async (req, res) => {
    const { portalId, userId, userEmail } = readCardRequestContext(req);
    const dealId = readDealId(req);
    const body = parseBody(snoozeBodySchema, req.body);
    const now = clock.now();
    const until = new Date(body.until);
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
      reason: body.reason,
      userId,
      userEmail,
      now,
    });
    // Parsed with the card's own schema: a drift is a server bug, not a broken card.
    res.json(snoozeResponseSchema.parse(await guidance.getGuidanceOfDeal(deal, now)));
  });
  return router;
}
