/**
 * The insights API contract (DESIGN.md §7 "Insights"), shared by both sides: the pages parse every
 * answer with these schemas, and the server imports this very file to shape and check what it sends
 * (HubSpot bundles only `extensions/`, so the pages could not import it from `src/`).
 * Keep it free of React and @hubspot/ui-extensions imports: the server loads it under plain Node.
 */
import { z } from 'zod';

const count = z.number().int().nonnegative();
const money = z.number();
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);
/** Present (and true) only on groups too small to show a rate. */
const tooFew = z.literal(true).optional();

const statusCounts = {
  open: count,
  ready: count,
  blocked: count,
  stalled: count,
  openExceptions: count,
};

export const complianceResponseSchema = z.object({
  pipelineId: z.string(),
  byStage: z.array(
    z.object({ stageId: z.string(), label: z.string(), stepId: z.string().nullable(), ...statusCounts }),
  ),
  byOwner: z.array(z.object({ ownerId: z.string().nullable(), name: z.string(), ...statusCounts })),
});

export const outcomeFiguresSchema = z.object({
  closed: count,
  won: count,
  /** A fraction 0..1; null when the group is too small. */
  winRate: z.number().min(0).max(1).nullable(),
  medianCycleDays: z.number().nonnegative().nullable(),
  tooFew,
});

export const outcomesResponseSchema = z.object({
  pipelineId: z.string(),
  from: z.iso.date(),
  to: z.iso.date(),
  overall: outcomeFiguresSchema,
  bySteps: z.array(
    z.object({ stepId: z.string(), completed: outcomeFiguresSchema, notCompleted: outcomeFiguresSchema }),
  ),
  byPlaybookVersion: z.array(outcomeFiguresSchema.extend({ playbookVersion: z.number().int().nullable() })),
  timeInStep: z.array(
    z.object({
      stepId: z.string(),
      medianDays: z.number().nonnegative().nullable(),
      p90Days: z.number().nonnegative().nullable(),
      n: count,
      tooFew,
    }),
  ),
});

export const demandMonthSchema = z.object({
  month,
  openDeals: count,
  amount: money,
  weightedAmount: money,
  atRiskAmount: money,
  wonAmount: money,
  capacity: money.optional(),
  gap: money.optional(),
});

export const demandResponseSchema = z.object({
  pipelineId: z.string(),
  months: z.array(demandMonthSchema),
  withoutCloseDate: z.object({ openDeals: count, amount: money }),
});

/**
 * GET /api/v1/insights/filters: what the pages offer to filter by, and whether the viewer manages (sees
 * every owner's deals, decides exceptions, plans capacity). Owners are listed for managers only.
 */
export const insightsFiltersResponseSchema = z.object({
  canManage: z.boolean(),
  /** The viewer's own HubSpot owner id (their deals' owner); null for a user who owns no deals. */
  ownerId: z.string().nullable(),
  pipelines: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      stages: z.array(z.object({ id: z.string(), label: z.string() })),
    }),
  ),
  owners: z.array(z.object({ ownerId: z.string(), name: z.string() })),
});

/** PUT /api/v1/insights/capacity: what a manager plans per month. */
export const capacityRequestSchema = z.object({
  months: z
    .array(z.object({ month, amount: z.number().nonnegative().finite() }))
    .min(1)
    .max(36),
});

export const capacityResponseSchema = z.object({
  months: z.array(z.object({ month, amount: money })),
});

export type ComplianceResponse = z.infer<typeof complianceResponseSchema>;
export type OutcomeFigures = z.infer<typeof outcomeFiguresSchema>;
export type OutcomesResponse = z.infer<typeof outcomesResponseSchema>;
export type DemandResponse = z.infer<typeof demandResponseSchema>;
export type InsightsFiltersResponse = z.infer<typeof insightsFiltersResponseSchema>;
export type CapacityRequest = z.infer<typeof capacityRequestSchema>;
export type CapacityResponse = z.infer<typeof capacityResponseSchema>;
