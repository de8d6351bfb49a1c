import { z } from 'zod';

/**
 * HubSpot's responses, parsed once at the edge. The SDK has already turned JSON into its model classes
 * (dates become Date, unknown fields are dropped), so dates accept both Date and ISO strings, and
 * everything the app does not read is left out. A shape HubSpot changes under us fails here, loudly,
 * instead of deep inside the domain.
 */
const hubspotDate = z.union([z.date(), z.string(), z.number()]).pipe(z.coerce.date());
const propertyValues = z.record(z.string(), z.string().nullable());

export const accountDetailsSchema = z.object({
  portalId: z.number().int(),
  timeZone: z.string(),
  companyCurrency: z.string(),
  uiDomain: z.string(),
  dataHostingLocation: z.string(),
  accountType: z.string(),
  utcOffsetMilliseconds: z.number().optional(),
});

const pipelineStageSchema = z.object({
  id: z.string(),
  label: z.string(),
  displayOrder: z.number(),
  archived: z.boolean(),
  metadata: z.record(z.string(), z.string()).optional(),
});

export const pipelinesSchema = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      displayOrder: z.number(),
      archived: z.boolean(),
      stages: z.array(pipelineStageSchema),
    }),
  ),
});

const historyEntrySchema = z.object({
  value: z.string(),
  timestamp: hubspotDate,
  sourceType: z.string(),
});

export const crmObjectSchema = z.object({
  id: z.string(),
  properties: propertyValues,
  propertiesWithHistory: z.record(z.string(), z.array(historyEntrySchema)).optional(),
  createdAt: hubspotDate,
  updatedAt: hubspotDate,
  archived: z.boolean().optional(),
  objectWriteTraceId: z.string().optional(),
});

const batchErrorSchema = z.object({
  category: z.string(),
  subCategory: z.unknown().optional(),
  message: z.string(),
  context: z.record(z.string(), z.array(z.string())).optional(),
});

export const batchObjectsSchema = z.object({
  status: z.string(),
  results: z.array(crmObjectSchema),
  errors: z.array(batchErrorSchema).optional(),
});

export const searchPageSchema = z.object({
  total: z.number(),
  results: z.array(crmObjectSchema),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

export const listPageSchema = z.object({
  results: z.array(crmObjectSchema),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

export const associationsBatchSchema = z.object({
  results: z.array(
    z.object({
      // The SDK renames `from` to `_from`.
      _from: z.object({ id: z.string() }),
      // HubSpot sends a JSON number here although the SDK types it as a string.
      to: z.array(z.object({ toObjectId: z.union([z.string(), z.number()]).transform(String) })),
      paging: z
        .object({ next: z.object({ after: z.string() }).nullable().optional() })
        .nullable()
        .optional(),
    }),
  ),
  errors: z.array(batchErrorSchema).optional(),
});

export const ownersPageSchema = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      email: z.string().optional(),
      firstName: z.string().optional(),
      lastName: z.string().optional(),
      userId: z.number().optional(),
      archived: z.boolean(),
      teams: z.array(z.object({ id: z.string(), name: z.string(), primary: z.boolean() })).optional(),
    }),
  ),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  roleIds: z.array(z.string()).optional(),
  primaryTeamId: z.string().optional(),
  secondaryTeamIds: z.array(z.string()).optional(),
  superAdmin: z.boolean().optional(),
});

export const namedCollectionSchema = z.object({ results: z.array(z.object({ name: z.string() })) });
