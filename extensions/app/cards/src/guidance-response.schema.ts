/**
 * The card API contract (DESIGN.md §3), shared by both sides: the card parses every answer with these
 * schemas, and the server imports this very file to shape and check what it sends. It lives here because
 * HubSpot bundles only `extensions/`, so the card could not import it from `src/`.
 * Keep it free of React and @hubspot/ui-extensions imports: the server loads it under plain Node.
 */
import { z } from 'zod';
import { ACTION_NOTE_MAX_CHARS, dealExceptionSchema } from '@sop-guide/api-contract';

// The exceptions contract is shared with the app pages through a workspace package; the card and the
// server keep importing it from here.
export * from '@sop-guide/api-contract';

// Offsets are accepted so that a server formatting in a portal's timezone still parses.
const isoDateTime = z.iso.datetime({ offset: true });
const nonEmpty = z.string().min(1);

export const guidanceStageSchema = z.object({
  id: nonEmpty,
  label: z.string(),
  enteredAt: isoDateTime,
});

export const guidanceStepSchema = z.object({
  id: nonEmpty,
  title: z.string(),
  guidance: z.string(),
  playbookVersion: z.number().int().positive(),
  // Only http(s): the card renders it as a link, so nothing else (javascript:, data:) may get through.
  sopUrl: z
    .url({ protocol: /^https?$/ })
    .nullable()
    .optional(),
});

export const actionDoneBySchema = z.object({
  userId: nonEmpty,
  email: z.string().nullable(),
});

export const guidanceActionSchema = z.object({
  id: nonEmpty,
  title: z.string(),
  required: z.boolean(),
  done: z.boolean(),
  doneBy: actionDoneBySchema.nullable(),
  doneAt: isoDateTime.nullable(),
});

export const guidanceCheckSchema = z.object({
  id: nonEmpty,
  title: z.string(),
  passed: z.boolean(),
  /** What is missing when the check fails (e.g. "Amount is empty"); null when there is nothing to say. */
  detail: z.string().nullable(),
});

export const guidanceProgressSchema = z
  .object({
    /** Required actions done plus checks passed. */
    done: z.number().int().nonnegative(),
    /** The step's required actions plus its checks: everything "ready to advance" needs. */
    total: z.number().int().nonnegative(),
  })
  .refine((progress) => progress.done <= progress.total, {
    message: 'progress.done cannot exceed progress.total',
    path: ['done'],
  });

export const stallStatusSchema = z.object({
  stalled: z.boolean(),
  /** Business days since the deal entered its stage. */
  daysInStage: z.number().nonnegative(),
  /** Business days the step allows in this stage; null when the step sets no threshold. */
  thresholdDays: z.number().nonnegative().nullable(),
  /**
   * Why the deal counts as stalled: a code ('in-stage-too-long', 'no-activity') the card words for
   * the rep, or a sentence it shows as is. Null or absent when the deal is not stalled.
   */
  reason: z.string().nullish(),
  /** The stall clock is paused until then, because an activity is scheduled. */
  pausedUntil: isoDateTime.nullish(),
  /** A rep snoozed the stall warning until then. */
  snoozedUntil: isoDateTime.nullish(),
});

export const guidanceResponseSchema = z.object({
  dealId: nonEmpty,
  portalId: z.number().int().positive(),
  pipelineId: nonEmpty,
  stage: guidanceStageSchema,
  /** Null for a stage mapped to no SOP step; `reason` then says why. */
  step: guidanceStepSchema.nullable(),
  reason: z.string().optional(),
  actions: z.array(guidanceActionSchema),
  checks: z.array(guidanceCheckSchema),
  progress: guidanceProgressSchema,
  readyToAdvance: z.boolean(),
  /** Human-readable reasons the deal is not ready to advance; empty when it is. */
  blockers: z.array(z.string()),
  stall: stallStatusSchema,
  /** This deal's exceptions, newest first. Absent from servers that predate them. */
  exceptions: z.array(dealExceptionSchema).optional(),
});

/** Body of `POST /api/v1/deals/:dealId/actions/:actionId`. */
export const actionToggleBodySchema = z.object({
  done: z.boolean(),
  note: z.string().max(ACTION_NOTE_MAX_CHARS).optional(),
});

/**
 * Answer to an action toggle: the deal's guidance recomputed after the change, so that progress,
 * readiness and blockers come from the server's rules, never from the card guessing them.
 */
export const actionToggleResponseSchema = guidanceResponseSchema;

/** Body of `POST /api/v1/deals/:dealId/snooze`: silence the stall warning until `until`, saying why. */
export const snoozeBodySchema = z.object({
  until: isoDateTime,
  reason: z.string().trim().min(1, 'A reason is required to snooze').max(500),
});

/** Answer to a snooze: the deal's guidance as it stands after the snooze. */
export const snoozeResponseSchema = guidanceResponseSchema;

export type GuidanceStage = z.infer<typeof guidanceStageSchema>;
export type GuidanceStep = z.infer<typeof guidanceStepSchema>;
export type ActionDoneBy = z.infer<typeof actionDoneBySchema>;
export type GuidanceAction = z.infer<typeof guidanceActionSchema>;
export type GuidanceCheck = z.infer<typeof guidanceCheckSchema>;
export type GuidanceProgress = z.infer<typeof guidanceProgressSchema>;
export type StallStatus = z.infer<typeof stallStatusSchema>;
export type GuidanceResponse = z.infer<typeof guidanceResponseSchema>;
export type ActionToggleBody = z.infer<typeof actionToggleBodySchema>;
export type ActionToggleResponse = z.infer<typeof actionToggleResponseSchema>;
export type SnoozeBody = z.infer<typeof snoozeBodySchema>;
export type SnoozeResponse = z.infer<typeof snoozeResponseSchema>;
