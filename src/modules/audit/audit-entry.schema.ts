import { z } from 'zod';

/**
 * The audit trail's entries (GET /api/v1/deals/:dealId/audit and `sop-guide audit`): one time-ordered
 * list in which `type` says what happened. Times are ISO instants; `at` is when it happened.
 */
const isoDateTime = z.iso.datetime();

export const stageChangeAuditEntrySchema = z.object({
  type: z.literal('stage-change'),
  id: z.string(),
  at: isoDateTime,
  dealId: z.string(),
  pipelineId: z.string().nullable(),
  /** Null when the previous stage is unknown (the first change the app saw). */
  fromStage: z.string().nullable(),
  toStage: z.string(),
  /** Where the change came from: HubSpot's changeSource (CRM, API...) or the app's own reads. */
  source: z.string(),
});

export const actionAuditEntrySchema = z.object({
  type: z.literal('action'),
  id: z.string(),
  at: isoDateTime,
  dealId: z.string(),
  stepId: z.string(),
  actionId: z.string(),
  /** true: ticked; false: unticked (an undo is a new entry, never an edit). */
  done: z.boolean(),
  userId: z.string().nullable(),
  userEmail: z.string().nullable(),
  note: z.string().nullable(),
  /** The stage entry the tick belongs to: a deal that comes back to a stage starts a fresh checklist. */
  stageEnteredAt: isoDateTime,
});

export const snoozeAuditEntrySchema = z.object({
  type: z.literal('snooze'),
  id: z.string(),
  at: isoDateTime,
  dealId: z.string(),
  until: isoDateTime,
  reason: z.string().nullable(),
  userId: z.string().nullable(),
  userEmail: z.string().nullable(),
  stageEnteredAt: isoDateTime.nullable(),
});

/** What every entry about an exception carries: which exception, of which deal, and when. */
const exceptionEntryFields = {
  id: z.string(),
  at: isoDateTime,
  dealId: z.string(),
  exceptionId: z.string(),
};

/** A deal moved on with its SOP unmet (DESIGN.md §7); who moved it is HubSpot's source and user. */
export const exceptionAuditEntrySchema = z.object({
  type: z.literal('exception'),
  ...exceptionEntryFields,
  fromStage: z.string(),
  toStage: z.string(),
  stepId: z.string(),
  mode: z.enum(['advisory', 'justify', 'approve', 'revert']),
  /** The titles of the required actions open and checks failing at the move. */
  openItems: z.array(z.string()),
  source: z.string(),
  userId: z.string().nullable(),
});

export const exceptionJustificationAuditEntrySchema = z.object({
  type: z.literal('exception-justification'),
  ...exceptionEntryFields,
  reason: z.string(),
  userId: z.string(),
  userEmail: z.string().nullable(),
});

export const exceptionDecisionAuditEntrySchema = z.object({
  type: z.literal('exception-decision'),
  ...exceptionEntryFields,
  decision: z.enum(['approve', 'reject']),
  note: z.string().nullable(),
  userId: z.string(),
  userEmail: z.string().nullable(),
});

/** The app moved the deal back through HubSpot's API: at once (`revert`) or on a manager's rejection. */
export const exceptionMoveBackAuditEntrySchema = z.object({
  type: z.literal('exception-move-back'),
  ...exceptionEntryFields,
  fromStage: z.string(),
  toStage: z.string(),
  reason: z.enum(['revert', 'rejected']),
  /** Always the app itself; the manager behind a rejection is in the decision entry. */
  source: z.literal('SOP Guide'),
  userId: z.null(),
});

export const auditEntrySchema = z.discriminatedUnion('type', [
  stageChangeAuditEntrySchema,
  actionAuditEntrySchema,
  snoozeAuditEntrySchema,
  exceptionAuditEntrySchema,
  exceptionJustificationAuditEntrySchema,
  exceptionDecisionAuditEntrySchema,
  exceptionMoveBackAuditEntrySchema,
]);

export const dealAuditResponseSchema = z.object({
  portalId: z.number().int().positive(),
  dealId: z.string(),
  entries: z.array(auditEntrySchema),
});

export type AuditEntry = z.infer<typeof auditEntrySchema>;
export type DealAuditResponse = z.infer<typeof dealAuditResponseSchema>;
