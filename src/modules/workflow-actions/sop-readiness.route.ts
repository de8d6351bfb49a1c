import { Router } from 'express';
import { z } from 'zod';
import { requireWorkflowActionSignature } from '../../../webhooks/workflow-action-signature.middleware';
import type { Clock } from '../../platform/clock';
import type { Config } from '../../platform/config/env.schema';
import { parseBody } from '../../platform/http/card-request-context';
import { countOpenExceptions } from '../exceptions';
import type { GuidanceService } from '../guidance';

export const SOP_READINESS_PATH = '/api/v1/workflow-actions/sop-readiness';

/** What HubSpot posts for an enrolled deal; other fields (inputFields, fields, context) are ignored. */
const workflowActionRequestSchema = z.object({
  callbackId: z.string().min(1),
  origin: z.object({ portalId: z.coerce.number().int().positive() }),
  object: z.object({ objectId: z.coerce.number().int().positive() }),
});

/** The answer's outputFields: what a HubSpot workflow branches on. */
export interface SopReadinessOutput {
  ready: boolean;
  /** The SOP step of the deal's stage; empty when the stage follows none. */
  step: string;
  /** Required actions not done plus checks failing. */
  openItems: number;
  openExceptions: number;
}

/**
 * POST /api/v1/workflow-actions/sop-readiness: the custom workflow action "Check SOP readiness"
 * (DESIGN.md §7). Signed by HubSpot (v3 when present, else v2), so it is mounted beside, not under,
 * the v3-only /api/v1 router. The verdict is the card's: the same guidance, read from the projection.
 */
export function createSopReadinessRouter(deps: {
  guidance: GuidanceService;
  clock: Clock;
  config: Pick<Config, 'hubspotClientSecret' | 'publicBaseUrl'>;
}): Router {
  const { guidance, clock, config } = deps;
  const router = Router();
  router.post(
    SOP_READINESS_PATH,
    requireWorkflowActionSignature({
      clientSecret: config.hubspotClientSecret,
      publicBaseUrl: config.publicBaseUrl,
      clock: () => clock.now().getTime(),
    }),
    async (req, res) => {
      const request = parseBody(workflowActionRequestSchema, req.body);
      const deal = await guidance.getGuidance(
        request.origin.portalId,
        String(request.object.objectId),
        clock.now(),
      );
      const outputFields: SopReadinessOutput = {
        ready: deal.readyToAdvance,
        step: deal.step?.id ?? '',
        openItems: deal.progress.total - deal.progress.done,
        openExceptions: countOpenExceptions(deal.exceptions),
      };
      res.json({ outputFields });
    },
  );
  return router;
}
