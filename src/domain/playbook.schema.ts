/**
 * The playbook document (DESIGN.md §3): what managers write as YAML, PUT through the API or edit in
 * the settings page. Objects are strict so that a typo ("stallAfterBusinesDays") is reported with its
 * path instead of being silently ignored and leaving a step without a threshold.
 */
import { z } from 'zod';
import { isValidLocalDate, isValidTimeZone } from './business-days.util';

const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const PROPERTY_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;
const OBJECT_TYPE_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
const OWNER_ID_PATTERN = /^\d+$/;

const POSITIVE_INTEGER_MESSAGE = 'expected a positive integer';

const slugSchema = z
  .string()
  .regex(SLUG_PATTERN, { error: 'expected a slug: lowercase letters, digits and single dashes' });

const nonEmptyStringSchema = z.string().trim().min(1, { error: 'must not be empty' });

const positiveIntegerSchema = z
  .number({ error: (issue) => (issue.input === undefined ? undefined : POSITIVE_INTEGER_MESSAGE) })
  .int({ error: POSITIVE_INTEGER_MESSAGE })
  .positive({ error: POSITIVE_INTEGER_MESSAGE });

const finiteNumberSchema = z.number().refine(Number.isFinite, { error: 'expected a finite number' });

const propertyNameSchema = z.string().regex(PROPERTY_NAME_PATTERN, {
  error: 'expected a HubSpot property internal name: lowercase letters, digits and underscores',
});

// YAML turns `managerOwnerId: 123` into a number; owner ids are digit strings in HubSpot's API.
const ownerIdSchema = z.preprocess(
  (value) => (typeof value === 'number' && Number.isInteger(value) ? String(value) : value),
  z.string().regex(OWNER_ID_PATTERN, { error: 'expected a HubSpot owner id (digits)' }),
);

const sopUrlSchema = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

export const presentRuleSchema = z.strictObject({ property: propertyNameSchema, present: z.boolean() });
export const equalsRuleSchema = z.strictObject({
  property: propertyNameSchema,
  equals: z.union([z.string(), finiteNumberSchema, z.boolean()], {
    error: 'expected a string, a number or true/false',
  }),
});
export const oneOfRuleSchema = z.strictObject({
  property: propertyNameSchema,
  oneOf: z
    .array(z.union([z.string(), finiteNumberSchema], { error: 'expected a string or a number' }))
    .min(1, { error: 'must list at least one value' }),
});
export const comparisonRuleSchema = z.strictObject({
  property: propertyNameSchema,
  gt: finiteNumberSchema.optional(),
  gte: finiteNumberSchema.optional(),
  lt: finiteNumberSchema.optional(),
  lte: finiteNumberSchema.optional(),
});
export const dateInFutureRuleSchema = z.strictObject({
  property: propertyNameSchema,
  dateInFuture: z.literal(true, { error: 'expected true' }),
});
export const withinDaysRuleSchema = z.strictObject({
  property: propertyNameSchema,
  withinDays: positiveIntegerSchema,
});
export const associatedRuleSchema = z.strictObject({
  associated: z.string().regex(OBJECT_TYPE_PATTERN, {
    error: 'expected an object type such as contacts, companies, line_items or tickets',
  }),
  min: positiveIntegerSchema,
});
export const lastActivityRuleSchema = z.strictObject({ lastActivityWithinDays: positiveIntegerSchema });
export const actionDoneRuleSchema = z.strictObject({ actionDone: slugSchema });

export type PresentRule = z.infer<typeof presentRuleSchema>;
export type EqualsRule = z.infer<typeof equalsRuleSchema>;
export type OneOfRule = z.infer<typeof oneOfRuleSchema>;
export type ComparisonRule = z.infer<typeof comparisonRuleSchema>;
export type DateInFutureRule = z.infer<typeof dateInFutureRuleSchema>;
export type WithinDaysRule = z.infer<typeof withinDaysRuleSchema>;
export type AssociatedRule = z.infer<typeof associatedRuleSchema>;
export type LastActivityRule = z.infer<typeof lastActivityRuleSchema>;
export type ActionDoneRule = z.infer<typeof actionDoneRuleSchema>;
export type CheckRule =
  | PresentRule
  | EqualsRule
  | OneOfRule
  | ComparisonRule
  | DateInFutureRule
  | WithinDaysRule
  | AssociatedRule
  | LastActivityRule
  | ActionDoneRule;

const COMPARISON_KEYS = ['gt', 'gte', 'lt', 'lte'] as const;
const PROPERTY_OPERATORS = [
  { name: 'present', keys: ['present'], schema: presentRuleSchema },
  { name: 'equals', keys: ['equals'], schema: equalsRuleSchema },
  { name: 'oneOf', keys: ['oneOf'], schema: oneOfRuleSchema },
  { name: 'gt/gte/lt/lte', keys: COMPARISON_KEYS, schema: comparisonRuleSchema },
  { name: 'dateInFuture', keys: ['dateInFuture'], schema: dateInFutureRuleSchema },
  { name: 'withinDays', keys: ['withinDays'], schema: withinDaysRuleSchema },
] as const;

type RuleSchemaChoice = { schema: z.ZodType<CheckRule> } | { message: string };

/**
 * A rule's form is told by its keys. Choosing the form first (instead of a plain z.union) lets a bad
 * rule be reported against the form the manager meant, e.g. "rule.min: expected a positive integer",
 * rather than as "matches none of nine forms".
 */
function chooseRuleSchema(value: unknown): RuleSchemaChoice {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { message: 'expected a rule object' };
  }
  if ('actionDone' in value) return { schema: actionDoneRuleSchema };
  if ('lastActivityWithinDays' in value) return { schema: lastActivityRuleSchema };
  if ('associated' in value) return { schema: associatedRuleSchema };
  if ('property' in value) {
    const operators = PROPERTY_OPERATORS.filter((operator) => operator.keys.some((key) => key in value));
    const [operator, ...others] = operators;
    if (!operator) {
      return {
        message: `expected an operator next to property: ${PROPERTY_OPERATORS.map((o) => o.name).join(', ')}`,
      };
    }
    if (others.length > 0) {
      return { message: `a rule takes one operator, found ${operators.map((o) => o.name).join(' and ')}` };
    }
    return { schema: operator.schema };
  }
  return {
    message:
      'expected a rule: {property, <operator>}, {associated, min}, {lastActivityWithinDays} or {actionDone}',
  };
}

export const checkRuleSchema = z.unknown().transform((value, context): CheckRule => {
  const choice = chooseRuleSchema(value);
  if ('message' in choice) {
    context.addIssue({ code: 'custom', message: choice.message, input: value });
    return z.NEVER;
  }
  const result = choice.schema.safeParse(value, { error: describeIssue });
  if (!result.success) {
    for (const error of listStructuralErrors(result.error.issues)) {
      const path = error.path === '' ? [] : error.path.split('.');
      context.addIssue({ code: 'custom', message: error.message, path, input: value });
    }
    return z.NEVER;
  }
  return result.data;
});

export const playbookActionSchema = z.strictObject({
  id: slugSchema,
  title: nonEmptyStringSchema,
  required: z.boolean().default(true),
  description: z.string().optional(),
});

export const playbookCheckSchema = z.strictObject({
  id: slugSchema,
  title: nonEmptyStringSchema,
  rule: checkRuleSchema,
  description: z.string().optional(),
});

/**
 * What happens when a deal leaves this step with its SOP unmet (DESIGN.md §7). Absent: advisory, the
 * exception is recorded and shown, nothing else.
 */
export const ENFORCEMENT_MODES = ['advisory', 'justify', 'approve', 'revert'] as const;

export const stepEnforcementSchema = z.strictObject({
  mode: z.enum(ENFORCEMENT_MODES, { error: `expected one of ${ENFORCEMENT_MODES.join(', ')}` }),
  /** Business hours (portal's calendar) the owner has to justify a `justify` exception; 8 when absent. */
  justifyWithinBusinessHours: positiveIntegerSchema.optional(),
  /** HubSpot user ids whose moves create no exception (ops staff fixing data, for instance). */
  exemptUserIds: z
    .array(
      z.preprocess(
        (value) => (typeof value === 'number' && Number.isInteger(value) ? String(value) : value),
        z.string().regex(/^\d+$/, { error: 'expected a HubSpot user id (digits)' }),
      ),
    )
    .optional(),
});

export const playbookStepSchema = z.strictObject({
  id: slugSchema,
  title: nonEmptyStringSchema,
  guidance: nonEmptyStringSchema,
  /** Link to the full SOP document (wiki, Notion, Google Doc). */
  sopUrl: sopUrlSchema.optional(),
  /** Business days in the stage after which the deal counts as stalled. No threshold: never stalls by time. */
  stallAfterBusinessDays: positiveIntegerSchema.optional(),
  /** Calendar days without logged activity after which the deal counts as stalled. */
  noActivityStallDays: positiveIntegerSchema.optional(),
  /** Business days a deal may stay stalled before its owner's manager is told; overrides reminders'. */
  escalateAfterBusinessDays: positiveIntegerSchema.optional(),
  actions: z.array(playbookActionSchema).default([]),
  checks: z.array(playbookCheckSchema).default([]),
  enforcement: stepEnforcementSchema.optional(),
});

const pipelineMappingSchema = z.strictObject({
  stages: z.record(z.string().min(1), slugSchema.nullable()),
});

export const playbookSchema = z
  .strictObject({
    // The server assigns versions; a version in the document is accepted (exports carry one) and dropped.
    version: z.unknown().optional(),
    name: nonEmptyStringSchema,
    pipelines: z.record(z.string().min(1), pipelineMappingSchema),
    steps: z.array(playbookStepSchema),
    calendar: z
      .strictObject({
        /** Overrides the portal's own time zone for business-day counting. */
        timeZone: z
          .string()
          .refine(isValidTimeZone, { error: 'expected an IANA time zone such as America/New_York' })
          .optional(),
        holidays: z
          .array(z.string().refine(isValidLocalDate, { error: 'expected a date as YYYY-MM-DD' }))
          .default([]),
      })
      .optional(),
    reminders: z
      .strictObject({
        escalateAfterBusinessDays: positiveIntegerSchema.optional(),
        /** Who gets escalations when the deal owner's team has no manager of its own. */
        managerOwnerId: ownerIdSchema.optional(),
        /** HubSpot team id → the owner id of that team's manager. */
        teamManagers: z.record(z.string().min(1), ownerIdSchema).optional(),
      })
      .optional(),
  })
  .transform(({ version: _version, ...playbook }) => playbook);

export type Playbook = z.output<typeof playbookSchema>;
/** The document as written: defaults (action.required, empty lists) may be left out. */
export type PlaybookInput = z.input<typeof playbookSchema>;
export type PlaybookStep = z.output<typeof playbookStepSchema>;
export type PlaybookAction = z.output<typeof playbookActionSchema>;
export type PlaybookCheck = z.output<typeof playbookCheckSchema>;
export type PlaybookReminders = NonNullable<Playbook['reminders']>;
export type EnforcementMode = (typeof ENFORCEMENT_MODES)[number];
export type StepEnforcement = z.output<typeof stepEnforcementSchema>;

export interface PlaybookError {
  /** Dotted path of the bad field, e.g. "steps.2.actions.0.id"; "" for the document itself. */
  path: string;
  message: string;
}

export type ParsePlaybookResult = { ok: true; playbook: Playbook } | { ok: false; errors: PlaybookError[] };

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  record: 'a mapping',
};

/** Messages a manager can act on, in place of zod's developer-facing defaults. */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'required';
    return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
  }
  if (issue.code === 'too_small' && issue.origin === 'string') return 'must not be empty';
  return undefined;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

function listStructuralErrors(issues: readonly z.core.$ZodIssue[]): PlaybookError[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'unknown field' }));
    }
    return [{ path: formatPath(issue.path), message: issue.message }];
  });
}

function findDuplicateIndexes(ids: readonly string[]): number[] {
  const seen = new Set<string>();
  const duplicates: number[] = [];
  ids.forEach((id, index) => {
    if (seen.has(id)) duplicates.push(index);
    seen.add(id);
  });
  return duplicates;
}

/** Errors that need the whole document: references between its parts and ids that must be unique. */
function listSemanticErrors(playbook: Playbook): PlaybookError[] {
  const errors: PlaybookError[] = [];
  const stepIds = playbook.steps.map((step) => step.id);
  const knownStepIds = new Set(stepIds);

  for (const index of findDuplicateIndexes(stepIds)) {
    errors.push({ path: `steps.${index}.id`, message: `duplicate step id "${stepIds[index]}"` });
  }

  for (const [pipelineId, pipeline] of Object.entries(playbook.pipelines)) {
    for (const [stageId, stepId] of Object.entries(pipeline.stages)) {
      if (stepId !== null && !knownStepIds.has(stepId)) {
        errors.push({
          path: `pipelines.${pipelineId}.stages.${stageId}`,
          message: `unknown step "${stepId}"`,
        });
      }
    }
  }

  playbook.steps.forEach((step, stepIndex) => {
    const actionIds = step.actions.map((action) => action.id);
    for (const index of findDuplicateIndexes(actionIds)) {
      errors.push({
        path: `steps.${stepIndex}.actions.${index}.id`,
        message: `duplicate action id "${actionIds[index]}"`,
      });
    }
    const checkIds = step.checks.map((check) => check.id);
    for (const index of findDuplicateIndexes(checkIds)) {
      errors.push({
        path: `steps.${stepIndex}.checks.${index}.id`,
        message: `duplicate check id "${checkIds[index]}"`,
      });
    }
    const knownActionIds = new Set(actionIds);
    step.checks.forEach((check, checkIndex) => {
      if ('actionDone' in check.rule && !knownActionIds.has(check.rule.actionDone)) {
        errors.push({
          path: `steps.${stepIndex}.checks.${checkIndex}.rule.actionDone`,
          message: `unknown action "${check.rule.actionDone}" in step "${step.id}"`,
        });
      }
    });
  });

  return errors;
}

/**
 * Validates a playbook document (parsed JSON or YAML). Structure first; the cross-reference checks
 * run once the structure is sound, since they need typed data to be meaningful.
 */
export function parsePlaybook(input: unknown): ParsePlaybookResult {
  const result = playbookSchema.safeParse(input, { error: describeIssue });
  if (!result.success) return { ok: false, errors: listStructuralErrors(result.error.issues) };
  const errors = listSemanticErrors(result.data);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, playbook: result.data };
}
