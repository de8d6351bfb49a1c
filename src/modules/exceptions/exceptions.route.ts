import { Router } from 'express';
import { z } from 'zod';
import {
  dealExceptionSchema,
  exceptionDecisionBodySchema,
  EXCEPTION_STATUSES,
  exceptionJustificationBodySchema,
  exceptionListResponseSchema,
} from '../../../extensions/app/cards/src/guidance-response.schema';
import type { Clock } from '../../platform/clock';
import { AppError } from '../../platform/errors/app-error';
import { parseBody, readCardRequestContext } from '../../platform/http/card-request-context';
import type { ExceptionDecisions } from './exception-decision.service';
import type { ExceptionJustification } from './exception-justification.service';
import { MAX_EXCEPTION_PAGE_SIZE, type ExceptionQueries } from './exception-query.service';

// Beside these, the signed query carries portalId, userId, userEmail and appId (read by readCardRequestContext).
const exceptionListQuerySchema = z.object({
  status: z.enum(EXCEPTION_STATUSES).optional(),
  ownerId: z.string().regex(/^\d+$/, 'expected a HubSpot owner id (digits)').optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  cursor: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_EXCEPTION_PAGE_SIZE).optional(),
});

const EXCEPTION_ID_PATTERN = /^[a-z0-9]{1,64}$/;

function readExceptionId(value: unknown): string {
  const id = String(value ?? '');
  if (!EXCEPTION_ID_PATTERN.test(id)) throw new AppError('BAD_REQUEST', 'id: expected an exception id');
  return id;
}

/**
 * GET /api/v1/exceptions?status=&ownerId=&since=&cursor=&limit= and
 * POST /api/v1/exceptions/:id/justification {reason} and
 * POST /api/v1/exceptions/:id/decision {decision, note?} — DESIGN.md §7.
 */
export function createExceptionsRouter({
  exceptionQueries,
  exceptionJustification,
  exceptionDecisions,
  clock,
}: {
  exceptionQueries: ExceptionQueries;
  exceptionJustification: ExceptionJustification;
  exceptionDecisions: ExceptionDecisions;
  clock: Clock;
}): Router {
  const router = Router();
  router.get('/exceptions', async (req, res) => {
    const { portalId, userId } = readCardRequestContext(req);
    const parsed = exceptionListQuerySchema.safeParse(req.query);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        message: issue.message,
      }));
      throw new AppError(
        'BAD_REQUEST',
        `Invalid query: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
        { issues },
      );
    }
    const { since, ...rest } = parsed.data;
    const body = await exceptionQueries.listExceptions(
      portalId,
      userId,
      { ...rest, ...(since ? { since: new Date(since) } : {}) },
      clock.now(),
    );
    res.json(exceptionListResponseSchema.parse(body));
  });
  router.post('/exceptions/:id/justification', async (req, res) => {
    const { portalId, userId, userEmail } = readCardRequestContext(req);
    const { reason } = parseBody(exceptionJustificationBodySchema, req.body);
    const exception = await exceptionJustification.justify({
      portalId,
      userId,
      email: userEmail,
      exceptionId: readExceptionId(req.params.id),
      reason,
      now: clock.now(),
    });
    res.json(dealExceptionSchema.parse(exception));
  });
  router.post('/exceptions/:id/decision', async (req, res) => {
    const { portalId, userId, userEmail } = readCardRequestContext(req);
    const { decision, note } = parseBody(exceptionDecisionBodySchema, req.body);
    const exception = await exceptionDecisions.decide({
      portalId,
      userId,
      email: userEmail,
      exceptionId: readExceptionId(req.params.id),
      decision,
      ...(note ? { note } : {}),
      now: clock.now(),
    });
    res.json(dealExceptionSchema.parse(exception));
  });
  return router;
}
