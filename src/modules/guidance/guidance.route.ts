import type { Clock } from '../../platform/clock';
import type { GuidanceService } from './guidance.service';
import { Router } from 'express';
import { guidanceResponseSchema } from '../../../extensions/app/cards/src/guidance-response.schema';
import { readCardRequestContext, readDealId } from '../../platform/http/card-request-context';

/** GET /api/v1/deals/:dealId/guidance — the card's data, for the portal named by the signed query string. */
export function createGuidanceRouter({
  guidance,
  clock,
}: {
  guidance: GuidanceService;
  clock: Clock;
}): Router {
  const router = Router();
  router.get('/deals/:dealId/guidance', async (req, res) => {
    const { portalId } = readCardRequestContext(req);
    const body = await guidance.getGuidance(portalId, readDealId(req), clock.now());
    // The card parses this with the same schema: checking here makes any drift a server bug, not a broken card.
    res.json(guidanceResponseSchema.parse(body));
  });
  return router;
}
