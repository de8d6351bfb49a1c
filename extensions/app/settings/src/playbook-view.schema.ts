/**
 * The part of the playbook document (DESIGN.md §3) the read-only settings view shows. Deliberately
 * lenient: the server's strict playbook schema owns validation, and unknown fields (rules, reminders,
 * calendar) are passed over here rather than breaking the page. The full editor will need the strict
 * schema; it cannot import src/ (HubSpot bundles only extensions/), so it will move here then.
 */
import { z } from 'zod';

export const playbookViewActionSchema = z.object({
  id: z.string(),
  title: z.string(),
  required: z.boolean().default(true),
});

export const playbookViewCheckSchema = z.object({
  id: z.string(),
  title: z.string(),
});

export const playbookViewStepSchema = z.object({
  id: z.string(),
  title: z.string(),
  guidance: z.string(),
  sopUrl: z.string().optional(),
  stallAfterBusinessDays: z.number().optional(),
  actions: z.array(playbookViewActionSchema).default([]),
  checks: z.array(playbookViewCheckSchema).default([]),
});

export const playbookViewSchema = z.object({
  name: z.string(),
  version: z.number().int().positive(),
  pipelines: z.record(z.string(), z.object({ stages: z.record(z.string(), z.string().nullable()) })),
  steps: z.array(playbookViewStepSchema),
});

export type PlaybookView = z.infer<typeof playbookViewSchema>;
export type PlaybookViewStep = z.infer<typeof playbookViewStepSchema>;
