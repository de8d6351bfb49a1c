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

export const auditEntrySchema = z.discriminatedUnion('type', [
  stageChangeAuditEntrySchema,
  actionAuditEntrySchema,
  snoozeAuditEntrySchema,
]);

export const dealAuditResponseSchema = z.object({
  portalId: z.number().int().positive(),
  dealId: z.string(),
  entries: z.array(auditEntrySchema),
});

export type AuditEntry = z.infer<typeof auditEntrySchema>;
export type DealAuditResponse = z.infer<typeof dealAuditResponseSchema>;
