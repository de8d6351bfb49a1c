import type { Clock } from '../../platform/clock';
import type { DealAuditService } from './deal-audit.service';
import { Router } from 'express';
import { dealAuditResponseSchema } from './audit-entry.schema';
import { readCardRequestContext, readDealId } from '../../platform/http/card-request-context';

/**
 * GET /api/v1/deals/:dealId/audit — the deal's stage changes, checklist ticks, snoozes and exceptions
 * (with their reasons, decisions and the app's moves back), newest first.
 */
export function createDealAuditRouter({ audit, clock }: { audit: DealAuditService; clock: Clock }): Router {
  const router = Router();
  router.get('/deals/:dealId/audit', async (req, res) => {
    const { portalId } = readCardRequestContext(req);
    const dealId = readDealId(req);
    const entries = await audit.listDealAudit(portalId, dealId, clock.now());
    res.json(dealAuditResponseSchema.parse({ portalId, dealId, entries }));
  });
  return router;
}
