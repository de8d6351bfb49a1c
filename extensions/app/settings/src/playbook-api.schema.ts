/**
 * The playbook API's answers (DESIGN.md §3), shared by the settings page (which parses what it
 * receives) and the server (which parses what it sends, so drift is a server bug, not a broken page).
 * It lives here because HubSpot bundles only extensions/: the page cannot import src/.
 *
 * The document part is deliberately loose: the server's strict playbook schema owns validation, and
 * fields this page does not edit (rules, reminders, calendar, future additions) must survive a
 * load-edit-publish round trip untouched, so unknown keys are kept, not stripped.
 */
import { z } from 'zod';

export const playbookActionSchema = z.looseObject({
  id: z.string(),
  title: z.string(),
  required: z.boolean().default(true),
});

export const playbookCheckSchema = z.looseObject({
  id: z.string(),
  title: z.string(),
  rule: z.unknown(),
});

/** The modes the server knows (its strict schema decides; the page offers these). */
export const ENFORCEMENT_MODES = ['advisory', 'justify', 'approve', 'revert'] as const;
export type EnforcementModeName = (typeof ENFORCEMENT_MODES)[number];

export const stepEnforcementSchema = z.looseObject({
  mode: z.string(),
  justifyWithinBusinessHours: z.number().optional(),
  exemptUserIds: z.array(z.string()).optional(),
});

export const playbookStepSchema = z.looseObject({
  id: z.string(),
  title: z.string(),
  guidance: z.string(),
  stallAfterBusinessDays: z.number().optional(),
  actions: z.array(playbookActionSchema).default([]),
  checks: z.array(playbookCheckSchema).default([]),
  enforcement: stepEnforcementSchema.optional(),
});

export const pipelineMappingSchema = z.looseObject({
  stages: z.record(z.string(), z.string().nullable()),
});

export const playbookDocumentSchema = z.looseObject({
  name: z.string(),
  pipelines: z.record(z.string(), pipelineMappingSchema),
  steps: z.array(playbookStepSchema),
});

/** A path-named problem: a validation error (400 details.errors) or a publish warning. */
export const playbookIssueSchema = z.object({ path: z.string(), message: z.string() });

export const versionMetaSchema = z.object({
  version: z.number().int().positive(),
  author: z.object({ userId: z.string() }).nullable(),
  createdAt: z.string(),
  note: z.string().nullable(),
});

export const hubspotPipelineSchema = z.object({
  id: z.string(),
  label: z.string(),
  stages: z.array(z.object({ id: z.string(), label: z.string(), isClosed: z.boolean() })),
});

/** GET /api/v1/playbook (and GET /api/v1/playbook/versions/:n, which has no access or pipeline fields). */
export const playbookResponseSchema = z.looseObject({
  ...playbookDocumentSchema.shape,
  ...versionMetaSchema.shape,
  /** Whether the signed-in user may publish; the page is read-only otherwise. */
  canEdit: z.boolean().optional(),
  /** Why the user may not publish; null when they may. */
  readOnlyReason: z.string().nullable().optional(),
  /** The portal's HubSpot deal pipelines, so stages nobody mapped yet can be mapped. */
  hubspotPipelines: z.array(hubspotPipelineSchema).optional(),
});

/** PUT /api/v1/playbook and POST /api/v1/playbook/versions/:n/restore. */
export const publishResponseSchema = z.looseObject({
  ...playbookDocumentSchema.shape,
  ...versionMetaSchema.shape,
  warnings: z.array(playbookIssueSchema),
  dealsRepinned: z.number().int().nonnegative(),
});

export const playbookVersionsResponseSchema = z.object({ versions: z.array(versionMetaSchema) });

const bucketImpactSchema = z.object({ count: z.number().int(), sampleDealIds: z.array(z.string()) });

export const stageImpactSchema = z.object({
  pipelineId: z.string(),
  stageId: z.string(),
  label: z.string(),
  stepId: z.string().nullable(),
  openDeals: z.number().int(),
  compliant: bucketImpactSchema,
  blocked: bucketImpactSchema,
  stalled: bucketImpactSchema,
  noStep: bucketImpactSchema,
});

/** POST /api/v1/playbook/preview. */
export const playbookPreviewResponseSchema = z.object({
  evaluatedAt: z.string(),
  totals: z.object({
    openDeals: z.number().int(),
    compliant: z.number().int(),
    blocked: z.number().int(),
    stalled: z.number().int(),
    noStep: z.number().int(),
  }),
  stages: z.array(stageImpactSchema),
  unreadProperties: z.array(z.string()),
  warnings: z.array(playbookIssueSchema),
});

/** The windows the enforcement preview looks back over, in days. */
export const ENFORCEMENT_PREVIEW_DAYS = [30, 90] as const;

const count = z.number().int().nonnegative();

export const stepEnforcementPreviewSchema = z.object({
  stepId: z.string(),
  title: z.string(),
  mode: z.enum(ENFORCEMENT_MODES),
  moves: count,
  unmet: count,
  exempt: count,
  caught: count,
  intoClosed: count,
  ifMode: z.object({
    advisory: z.object({ recorded: count }),
    justify: z.object({ reasonsAsked: count }),
    approve: z.object({ approvalsAsked: count }),
    revert: z.object({ movedBack: count, approvalsAsked: count }),
  }),
});

/** POST /api/v1/playbook/enforcement-preview?days=30|90. */
export const enforcementPreviewResponseSchema = z.object({
  evaluatedAt: z.string(),
  since: z.string(),
  days: z.number().int().positive(),
  /** Recorded moves judged (the newest ones, when there were more than the preview reads). */
  movesJudged: count,
  /** True when the window held more moves than the preview reads: the figures cover the newest. */
  truncated: z.boolean(),
  steps: z.array(stepEnforcementPreviewSchema),
});

export type PlaybookDocument = z.infer<typeof playbookDocumentSchema>;
export type PlaybookStepDocument = z.infer<typeof playbookStepSchema>;
export type PlaybookActionDocument = z.infer<typeof playbookActionSchema>;
export type PlaybookCheckDocument = z.infer<typeof playbookCheckSchema>;
export type StepEnforcementDocument = z.infer<typeof stepEnforcementSchema>;
export type PlaybookIssue = z.infer<typeof playbookIssueSchema>;
export type PlaybookResponse = z.infer<typeof playbookResponseSchema>;
export type PublishResponse = z.infer<typeof publishResponseSchema>;
export type VersionMeta = z.infer<typeof versionMetaSchema>;
export type HubSpotPipelineView = z.infer<typeof hubspotPipelineSchema>;
export type PlaybookPreview = z.infer<typeof playbookPreviewResponseSchema>;
export type StageImpactView = z.infer<typeof stageImpactSchema>;
export type EnforcementPreview = z.infer<typeof enforcementPreviewResponseSchema>;
export type StepEnforcementPreviewView = z.infer<typeof stepEnforcementPreviewSchema>;
