import { Router, type Request } from 'express';
import { z } from 'zod';
import {
  capacityRequestSchema,
  capacityResponseSchema,
  complianceResponseSchema,
  demandResponseSchema,
  insightsFiltersResponseSchema,
  outcomesResponseSchema,
} from '../../../extensions/app/pages/src/insights-response.schema';
import type { Clock } from '../../platform/clock';
import { AppError } from '../../platform/errors/app-error';
import { parseBody, readCardRequestContext } from '../../platform/http/card-request-context';
import type { ManagerAccess } from '../access';
import type { PortalRegistry } from '../portals';
import type { Store } from '../../platform/db';
import type { InsightsService } from './insights.service';

/** Months the demand view spans when not asked: two quarters, what S&OP plans over. */
export const DEFAULT_DEMAND_MONTHS = 6;
const MAX_DEMAND_MONTHS = 24;

const filterSchema = z.object({
  pipelineId: z.string().min(1).max(100).default('default'),
  ownerId: z
    .string()
    .regex(/^\d{1,20}$/, { error: 'expected a HubSpot owner id' })
    .optional(),
});

const outcomesQuerySchema = filterSchema.extend({
  from: z.iso.date({ error: 'expected a date as YYYY-MM-DD' }).optional(),
  to: z.iso.date({ error: 'expected a date as YYYY-MM-DD' }).optional(),
});

const demandQuerySchema = filterSchema.extend({
  months: z.coerce.number().int().min(1).max(MAX_DEMAND_MONTHS).default(DEFAULT_DEMAND_MONTHS),
});

function readQuery<T>(schema: z.ZodType<T>, req: Request): T {
  const parsed = schema.safeParse(req.query);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  throw new AppError(
    'BAD_REQUEST',
    `Invalid query: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    { issues },
  );
}

/**
 * GET /api/v1/insights/{filters,compliance,outcomes,demand} and PUT /api/v1/insights/capacity (DESIGN.md §7).
 * Each answer is checked with the schema the pages parse it with, so drift is a server bug.
 */
export function createInsightsRouter(deps: {
  insights: InsightsService;
  managerAccess: ManagerAccess;
  store: Pick<Store, 'insights'>;
  portals: Pick<PortalRegistry, 'isInstalled'>;
  clock: Clock;
}): Router {
  const { insights, managerAccess, store, portals, clock } = deps;
  const router = Router();

  /** Who asks, for which portal; a portal the app is not installed in is not found (DESIGN.md §3 tenancy). */
  const readViewer = (req: Request) => {
    const { portalId, userId } = readCardRequestContext(req);
    if (!portals.isInstalled(portalId))
      throw new AppError('NOT_FOUND', `SOP Guide is not installed in portal ${portalId}`);
    return { portalId, userId };
  };

  router.get('/insights/filters', async (req, res) => {
    res.json(insightsFiltersResponseSchema.parse(await insights.filters(readViewer(req))));
  });

  router.get('/insights/compliance', async (req, res) => {
    const viewer = readViewer(req);
    const query = readQuery(filterSchema, req);
    res.json(complianceResponseSchema.parse(await insights.compliance(viewer, query)));
  });

  router.get('/insights/outcomes', async (req, res) => {
    const viewer = readViewer(req);
    const query = readQuery(outcomesQuerySchema, req);
    res.json(outcomesResponseSchema.parse(await insights.outcomes(viewer, query, clock.now())));
  });

  router.get('/insights/demand', async (req, res) => {
    const viewer = readViewer(req);
    const query = readQuery(demandQuerySchema, req);
    res.json(demandResponseSchema.parse(await insights.demand(viewer, query, clock.now())));
  });

  router.put('/insights/capacity', async (req, res) => {
    const { portalId, userId } = readViewer(req);
    await managerAccess.requireManager(portalId, userId);
    const { months } = parseBody(capacityRequestSchema, req.body);
    await store.insights.setCapacity(portalId, months, userId, clock.now());
    const saved = await store.insights.listCapacity(
      portalId,
      months.map((entry) => entry.month),
    );
    res.json(
      capacityResponseSchema.parse({
        months: [...saved]
          .map(([month, amount]) => ({ month, amount }))
          .sort((a, b) => a.month.localeCompare(b.month)),
      }),
    );
  });

  return router;
}
