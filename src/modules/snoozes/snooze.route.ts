import { Router } from 'express';
import {
  snoozeBodySchema,
  snoozeResponseSchema,
} from '../../../extensions/app/cards/src/guidance-response.schema';
import type { Clock } from '../../platform/clock';
import { parseBody, readCardRequestContext, readDealId } from '../../platform/http/card-request-context';
import type { DealSnoozeService } from './deal-snooze.service';

/** POST /api/v1/deals/:dealId/snooze — body `{until, reason}`; answers the deal's guidance. */
export function createSnoozeRouter({
  dealSnoozes,
  clock,
}: {
  dealSnoozes: DealSnoozeService;
  clock: Clock;
}): Router {
  const router = Router();
  router.post('/deals/:dealId/snooze', async (req, res) => {
    const { portalId, userId, userEmail } = readCardRequestContext(req);
    const body = parseBody(snoozeBodySchema, req.body);
    const guidance = await dealSnoozes.snoozeDeal({
      portalId,
      dealId: readDealId(req),
      userId,
      userEmail,
      until: new Date(body.until),
      reason: body.reason,
      now: clock.now(),
    });
    // Parsed with the card's own schema: a drift is a server bug, not a broken card.
    res.json(snoozeResponseSchema.parse(guidance));
  });
  return router;
}
