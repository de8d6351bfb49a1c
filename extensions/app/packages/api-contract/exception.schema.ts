/**
 * The exceptions API contract (DESIGN.md §7 "Exceptions"), shared by the card, the app pages and the
 * server: each parses or checks every answer with these schemas. It is an npm workspace package because
 * HubSpot builds each component folder on its own and refuses imports that leave it; HubSpot's way to
 * share code between a card and pages is a workspace package under app/ (extensions/app/package.json).
 * Keep it free of React and @hubspot/ui-extensions imports: the server loads it under plain Node.
 */
import { z } from 'zod';

// Offsets are accepted so that a server formatting in a portal's timezone still parses.
const isoDateTime = z.iso.datetime({ offset: true });
const nonEmpty = z.string().min(1);

/** A note or a reason is a short remark for the audit trail, not a document. */
export const ACTION_NOTE_MAX_CHARS = 1000;

/** How a step's policy answers a deal that left it with its SOP unmet (DESIGN.md §7). */
export const EXCEPTION_MODES = ['advisory', 'justify', 'approve', 'revert'] as const;
export const EXCEPTION_STATUSES = ['open', 'justified', 'approved', 'rejected', 'reverted'] as const;

export const exceptionOpenItemSchema = z.object({
  kind: z.enum(['action', 'check']),
  id: nonEmpty,
  title: z.string(),
  /** The step the item belongs to: the step left, or one the move skipped. */
  stepId: nonEmpty.optional(),
  detail: z.string().optional(),
});

/** A deal that moved on with its SOP unmet: one per stage entry left. */
export const dealExceptionSchema = z.object({
  id: nonEmpty,
  dealId: nonEmpty,
  fromStage: nonEmpty,
  toStage: nonEmpty,
  movedAt: isoDateTime,
  movedBy: z.object({ source: z.string(), userId: nonEmpty.nullable() }),
  ownerId: nonEmpty.nullable().optional(),
  openItems: z.array(exceptionOpenItemSchema),
  mode: z.enum(EXCEPTION_MODES),
  status: z.enum(EXCEPTION_STATUSES),
  justification: z
    .object({ userId: nonEmpty, email: z.string().nullable(), reason: z.string(), at: isoDateTime })
    .optional(),
  decision: z
    .object({
      userId: nonEmpty,
      email: z.string().nullable(),
      decision: z.enum(['approve', 'reject']),
      note: z.string().optional(),
      at: isoDateTime,
    })
    .optional(),
  playbookVersion: z.number().int().positive().nullable(),
});

/** Answer to `GET /api/v1/exceptions`: newest move first; pass `nextCursor` back as `cursor` for more. */
export const exceptionListResponseSchema = z.object({
  items: z.array(dealExceptionSchema),
  nextCursor: z.string().nullable(),
});

/** Body of `POST /api/v1/exceptions/:id/justification`: the owner's reason for moving on. */
export const exceptionJustificationBodySchema = z.object({
  reason: z.string().trim().min(1, 'A reason is required').max(ACTION_NOTE_MAX_CHARS),
});

/** Body of `POST /api/v1/exceptions/:id/decision` (managers): approve the move, or reject it to move the deal back. */
export const exceptionDecisionBodySchema = z.object({
  decision: z.enum(['approve', 'reject']),
  note: z.string().max(ACTION_NOTE_MAX_CHARS).optional(),
});

/** Every error the backend answers (4xx/5xx), DESIGN.md §3. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

export type DealExceptionView = z.infer<typeof dealExceptionSchema>;
export type ExceptionListResponse = z.infer<typeof exceptionListResponseSchema>;
export type ExceptionJustificationBody = z.infer<typeof exceptionJustificationBodySchema>;
export type ExceptionDecisionBody = z.infer<typeof exceptionDecisionBodySchema>;
export type ErrorBody = z.infer<typeof errorBodySchema>;
