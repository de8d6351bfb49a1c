import { Router } from 'express';
import { z } from 'zod';
import {
  EXCEPTION_STATUSES,
  exceptionListResponseSchema,
} from '../../../extensions/app/cards/src/guidance-response.schema';
import type { Clock } from '../../platform/clock';
import { AppError } from '../../platform/errors/app-error';
import { readCardRequestContext } from '../../platform/http/card-request-context';
import { MAX_EXCEPTION_PAGE_SIZE, type ExceptionQueries } from './exception-query.service';

// Beside these, the signed query carries portalId, userId, userEmail and appId (read by readCardRequestContext).
const exceptionListQuerySchema = z.object({
  status: z.enum(EXCEPTION_STATUSES).optional(),
  ownerId: z.string().regex(/^\d+$/, 'expected a HubSpot owner id (digits)').optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  cursor: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_EXCEPTION_PAGE_SIZE).optional(),
});

/** GET /api/v1/exceptions?status=&ownerId=&since=&cursor=&limit= — DESIGN.md §7. */
export function createExceptionsRouter({
  exceptionQueries,
  clock,
}: {
  exceptionQueries: ExceptionQueries;
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
  return router;
}
