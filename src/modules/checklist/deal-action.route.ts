import type { Clock } from '../../platform/clock';
import type { DealActionService } from './deal-action.service';
import { Router } from 'express';
import {
  actionToggleBodySchema,
  actionToggleResponseSchema,
} from '../../../extensions/app/cards/src/guidance-response.schema';
import { AppError } from '../../platform/errors/app-error';
import { parseBody, readCardRequestContext, readDealId } from '../../platform/http/card-request-context';

const ACTION_ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * POST /api/v1/deals/:dealId/actions/:actionId — tick or untick a checklist action as the signed user;
 * answers the deal's recomputed guidance, so the card shows the server's progress and readiness.
 */
export function createDealActionRouter({
  dealActions,
  clock,
}: {
  dealActions: DealActionService;
  clock: Clock;
}): Router {
  const router = Router();
  router.post('/deals/:dealId/actions/:actionId', async (req, res) => {
    const { portalId, userId, userEmail } = readCardRequestContext(req);
    const dealId = readDealId(req);
    const actionId = String(req.params.actionId ?? '');
    // Playbook action ids are slugs: anything else cannot name an action, whatever the playbook.
    if (!ACTION_ID_PATTERN.test(actionId)) {
      throw new AppError('NOT_FOUND', `Action ${actionId} is in no step of this deal's playbook`);
    }
    const body = parseBody(actionToggleBodySchema, req.body);
    const guidance = await dealActions.toggleAction({
      portalId,
      dealId,
      actionId,
      done: body.done,
      ...(body.note === undefined ? {} : { note: body.note }),
      userId,
      userEmail,
      now: clock.now(),
    });
    res.json(actionToggleResponseSchema.parse(guidance));
  });
  return router;
}
