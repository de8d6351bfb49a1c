import { Router } from 'express';
import { z } from 'zod';
import {
  dealExceptionSchema,
  exceptionDecisionBodySchema,
  EXCEPTION_STATUSES,
  exceptionJustificationBodySchema,
  exceptionListResponseSchema,
} from '../../../extensions/app/cards/src/guidance-response.schema';
import {
  ENFORCEMENT_PREVIEW_DAYS,
  enforcementPreviewResponseSchema,
} from '../../../extensions/app/settings/src/playbook-api.schema';
import type { Clock } from '../../platform/clock';
import type { ManagerAccess } from '../access';
import { readPlaybookBody, type PlaybookPublishingService } from '../playbooks';
import type { PortalRegistry } from '../portals';
import type { EnforcementPreviewService } from './enforcement-preview.service';
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

const enforcementPreviewQuerySchema = z.object({
  days: z
    .enum(ENFORCEMENT_PREVIEW_DAYS.map(String) as [string, ...string[]], {
      error: `expected one of ${ENFORCEMENT_PREVIEW_DAYS.join(', ')}`,
    })
    .default('30'),
});

const EXCEPTION_ID_PATTERN = /^[a-z0-9]{1,64}$/;

function readExceptionId(value: unknown): string {
  const id = String(value ?? '');
  if (!EXCEPTION_ID_PATTERN.test(id)) throw new AppError('BAD_REQUEST', 'id: expected an exception id');
  return id;
}

/** The query, or a 400 naming each bad parameter. */
function parseQuery<T>(schema: z.ZodType<T>, query: unknown): T {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
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

/**
 * GET /api/v1/exceptions?status=&ownerId=&since=&cursor=&limit= and
 * POST /api/v1/exceptions/:id/justification {reason} and
 * POST /api/v1/exceptions/:id/decision {decision, note?} — DESIGN.md §7; and, for the settings page,
 * POST /api/v1/playbook/enforcement-preview?days=30|90 with a candidate playbook (managers).
 */
export function createExceptionsRouter({
  exceptionQueries,
  exceptionJustification,
  exceptionDecisions,
  enforcementPreview,
  playbookPublishing,
  managerAccess,
  portals,
  clock,
}: {
  exceptionQueries: ExceptionQueries;
  exceptionJustification: ExceptionJustification;
  exceptionDecisions: ExceptionDecisions;
  enforcementPreview: EnforcementPreviewService;
  playbookPublishing: Pick<PlaybookPublishingService, 'validate'>;
  managerAccess: Pick<ManagerAccess, 'requireManager'>;
  portals: Pick<PortalRegistry, 'isInstalled'>;
  clock: Clock;
}): Router {
  const router = Router();
  router.get('/exceptions', async (req, res) => {
    const { portalId, userId } = readCardRequestContext(req);
    const { since, ...rest } = parseQuery(exceptionListQuerySchema, req.query);
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
  router.post('/playbook/enforcement-preview', async (req, res) => {
    const { portalId, userId } = readCardRequestContext(req);
    if (!portals.isInstalled(portalId))
      throw new AppError('NOT_FOUND', 'SOP Guide is not installed in this portal');
    await managerAccess.requireManager(portalId, userId);
    const { days } = parseQuery(enforcementPreviewQuerySchema, req.query);
    const candidate = playbookPublishing.validate(readPlaybookBody(req.body).document);
    const preview = await enforcementPreview.preview(portalId, candidate, Number(days), clock.now());
    res.json(enforcementPreviewResponseSchema.parse(preview));
  });
  return router;
}
