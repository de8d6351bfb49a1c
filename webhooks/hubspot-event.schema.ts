import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { z } from 'zod';

/**
 * HubSpot webhook events, parsed once at the edge (DESIGN.md §4). A batch is checked element by
 * element: first the envelope every event carries, then — only for the deal forms we act on — the
 * form's own fields. Every other subscription type is a valid event that is acknowledged and ignored,
 * so that subscribing to more types in HubSpot never turns into rejected (and thus lost) batches.
 */

/** HubSpot sends at most 100 events a batch; we accept more so that a change on their side is no outage. */
export const MAX_EVENTS_PER_BATCH = 1000;

/** HubSpot's object type id for deals in the generic `object.*` subscriptions. */
export const DEAL_OBJECT_TYPE_ID = '0-3';

/** The deal property whose change is a stage change. */
export const DEAL_STAGE_PROPERTY = 'dealstage';

const idSchema = z.number().int().nonnegative();

// No .transform() in these schemas: each one wraps its field in a pipe, and with four of them per event
// validation cost three times as much (measured on the intake path, where it ran for every event of every
// batch before the ack). The conversions happen once, in toDealEvent.

// HubSpot sends objectId as a JSON number; a numeric string is accepted too. Either way it becomes a
// string inside (toDealEvent), because CRM ids are opaque and may outgrow a double.
const objectIdSchema = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^\d+$/, 'Expected a numeric id'),
]);

// PostgreSQL text cannot hold U+0000 ("invalid byte sequence for encoding UTF8: 0x00"): an event carrying
// one would be acknowledged and then never stored. It is refused here, on both databases alike.
// eslint-disable-next-line no-control-regex -- matching U+0000 is the point
const NO_NUL = /^[^\u0000]*$/;
const NUL_MESSAGE = 'Must not contain a NUL character (\\u0000): the database cannot store it';
const textSchema = z.string().regex(NO_NUL, NUL_MESSAGE);

// Absent and null mean the same ("not told"); property values are strings in HubSpot's payloads, but a
// scalar of another type is kept as its text rather than refusing the event.
const optionalTextSchema = z.union([textSchema, z.number(), z.boolean(), z.null()]).optional();

/** The fields every HubSpot event has, whatever its subscription type. */
export const webhookEnvelopeSchema = z.looseObject({
  eventId: idSchema,
  subscriptionId: idSchema,
  portalId: z.number().int().positive(),
  occurredAt: z.number().int().nonnegative(),
  subscriptionType: z.string().min(1),
  objectId: objectIdSchema,
  appId: z.number().int().nonnegative().nullish(),
  attemptNumber: z.number().int().nonnegative().nullish(),
});

const propertyChangeFields = {
  propertyName: textSchema.min(1),
  propertyValue: optionalTextSchema,
  changeSource: optionalTextSchema,
  sourceId: optionalTextSchema,
};

const lifecycleFields = {
  changeSource: optionalTextSchema,
  sourceId: optionalTextSchema,
};

export const dealPropertyChangeEventSchema = webhookEnvelopeSchema.extend({
  subscriptionType: z.literal('deal.propertyChange'),
  ...propertyChangeFields,
});
export const dealCreationEventSchema = webhookEnvelopeSchema.extend({
  subscriptionType: z.literal('deal.creation'),
  ...lifecycleFields,
});
export const dealDeletionEventSchema = webhookEnvelopeSchema.extend({
  subscriptionType: z.literal('deal.deletion'),
  ...lifecycleFields,
});

const dealObjectTypeId = z.literal(DEAL_OBJECT_TYPE_ID);

export const objectDealPropertyChangeEventSchema = webhookEnvelopeSchema.extend({
  subscriptionType: z.literal('object.propertyChange'),
  objectTypeId: dealObjectTypeId,
  ...propertyChangeFields,
});
export const objectDealCreationEventSchema = webhookEnvelopeSchema.extend({
  subscriptionType: z.literal('object.creation'),
  objectTypeId: dealObjectTypeId,
  ...lifecycleFields,
});
export const objectDealDeletionEventSchema = webhookEnvelopeSchema.extend({
  subscriptionType: z.literal('object.deletion'),
  objectTypeId: dealObjectTypeId,
  ...lifecycleFields,
});

type DealFormSchema =
  | typeof dealPropertyChangeEventSchema
  | typeof dealCreationEventSchema
  | typeof dealDeletionEventSchema
  | typeof objectDealPropertyChangeEventSchema
  | typeof objectDealCreationEventSchema
  | typeof objectDealDeletionEventSchema;

/**
 * The intake's fast check: each zod schema here compiled, through its own JSON Schema
 * (z.toJSONSchema), into a validator that allocates nothing. zod stays the definition and the only
 * source of error messages: the compiled form only ever accepts, and anything it does not accept is
 * decided by zod (see checkWebhookBatch). Checking a batch of 100 events this way costs ~6 µs against
 * ~140 µs through zod, and it runs for every batch before the ack. test/webhooks proves the two agree.
 */
const ajv = new Ajv2020({ strict: false, allErrors: false });
function compileFastCheck(schema: z.ZodType): ValidateFunction {
  return ajv.compile(z.toJSONSchema(schema, { io: 'input' }) as object);
}

type DealFormAction = 'property-change' | 'creation' | 'deletion';

function dealForm(schema: DealFormSchema, action: DealFormAction) {
  return { schema, action, fastCheck: compileFastCheck(schema) };
}

// A Map, not an object literal: a subscriptionType such as "constructor" must not find Object's prototype.
const DEAL_FORMS = new Map<string, ReturnType<typeof dealForm>>([
  ['deal.propertyChange', dealForm(dealPropertyChangeEventSchema, 'property-change')],
  ['deal.creation', dealForm(dealCreationEventSchema, 'creation')],
  ['deal.deletion', dealForm(dealDeletionEventSchema, 'deletion')],
  ['object.propertyChange', dealForm(objectDealPropertyChangeEventSchema, 'property-change')],
  ['object.creation', dealForm(objectDealCreationEventSchema, 'creation')],
  ['object.deletion', dealForm(objectDealDeletionEventSchema, 'deletion')],
]);

// The generic object.* forms need objectTypeId before we can tell a deal from anything else.
const genericObjectTypeSchema = z.looseObject({ objectTypeId: z.string().min(1) });

const fastEnvelopeCheck = compileFastCheck(webhookEnvelopeSchema);
const fastGenericObjectTypeCheck = compileFastCheck(genericObjectTypeSchema);

export type DealEventKind = 'stage-change' | 'property-change' | 'creation' | 'deletion';

/** One deal event as the rest of the app sees it: trusted, flat, with its deduplication key. */
export interface DealEvent {
  kind: DealEventKind;
  portalId: number;
  appId: number | null;
  subscriptionId: number;
  eventId: number;
  objectId: string;
  /** Epoch milliseconds. */
  occurredAt: number;
  propertyName: string | null;
  propertyValue: string | null;
  changeSource: string | null;
  sourceId: string | null;
  attemptNumber: number;
  /** eventId alone is not unique at HubSpot: `${subscriptionId}:${eventId}:${objectId}:${occurredAt}`. */
  dedupeKey: string;
}

export interface WebhookIssue {
  /** Where the problem is, from the batch root: `[3, 'portalId']` is the fourth event's portalId. */
  path: (string | number)[];
  message: string;
}

export type WebhookBatchParseResult =
  { ok: true; events: DealEvent[]; ignored: number } | { ok: false; issues: WebhookIssue[] };

const batchSchema = z
  .array(z.unknown(), { error: 'Expected a JSON array of events' })
  .min(1, 'Expected at least one event')
  .max(MAX_EVENTS_PER_BATCH, `Expected at most ${MAX_EVENTS_PER_BATCH} events`);

/**
 * The one place the deduplication key is made; the inbox stores it as given. Databases hold keys in
 * this format (`subscriptionId:eventId:objectId:occurredAt`, HubSpot's eventId alone is not unique):
 * changing it would let through a redelivery of any event stored before the change.
 */
export function dedupeKeyFor(
  event: Pick<DealEvent, 'subscriptionId' | 'eventId' | 'objectId' | 'occurredAt'>,
) {
  return `${event.subscriptionId}:${event.eventId}:${event.objectId}:${event.occurredAt}`;
}

/**
 * Parses a webhook body (already JSON-decoded) into the deal events we act on. Either every element is
 * valid and the deal events come back with the count of ignored ones, or the issues name each bad path.
 */
export function parseWebhookBatch(json: unknown): WebhookBatchParseResult {
  const parsed = parseBatchElements(json);
  if (!parsed.ok) return parsed;
  if (parsed.refused.length > 0) return { ok: false, issues: parsed.refused.flatMap((each) => each.issues) };
  return { ok: true, events: parsed.events, ignored: parsed.ignored };
}

/** An element of a batch that is not a valid event: kept (raw) with what is wrong with it, never applied. */
export interface RefusedElement {
  /** Its position in the batch as received. */
  index: number;
  element: unknown;
  issues: WebhookIssue[];
}

type BatchElementsResult =
  | { ok: true; events: DealEvent[]; ignored: number; refused: RefusedElement[] }
  | { ok: false; issues: WebhookIssue[] };

/** The batch element by element: a bad element is refused on its own; only a bad batch fails whole. */
function parseBatchElements(json: unknown): BatchElementsResult {
  const batch = batchSchema.safeParse(json);
  if (!batch.success) return { ok: false, issues: issuesOf(batch.error, []) };

  const events: DealEvent[] = [];
  const refused: RefusedElement[] = [];
  let ignored = 0;

  batch.data.forEach((element, index) => {
    const refuse = (error: z.ZodError) => refused.push({ index, element, issues: issuesOf(error, [index]) });
    // The common case in one zod pass: an element that names a deal form and passes that form's schema
    // (which extends the envelope) is exactly what the checks below would accept. Anything else,
    // failures included, takes the step-by-step path, so that issues stay the envelope's first.
    const likelyForm = dealFormNamedBy(element);
    if (likelyForm) {
      const parsed = likelyForm.schema.safeParse(element);
      if (parsed.success) {
        events.push(toDealEvent(parsed.data, likelyForm.action));
        return;
      }
    }

    const envelope = webhookEnvelopeSchema.safeParse(element);
    if (!envelope.success) {
      refuse(envelope.error);
      return;
    }
    const form = DEAL_FORMS.get(envelope.data.subscriptionType);
    if (!form) {
      ignored += 1;
      return;
    }
    if (envelope.data.subscriptionType.startsWith('object.')) {
      const generic = genericObjectTypeSchema.safeParse(element);
      if (!generic.success) {
        refuse(generic.error);
        return;
      }
      if (generic.data.objectTypeId !== DEAL_OBJECT_TYPE_ID) {
        ignored += 1;
        return;
      }
    }
    const parsed = form.schema.safeParse(element);
    if (!parsed.success) {
      refuse(parsed.error);
      return;
    }
    events.push(toDealEvent(parsed.data, form.action));
  });

  return { ok: true, events, ignored, refused };
}

/** A deal event as received, known to be valid; typed only as far as the intake reads it. */
export interface ReceivedDealEvent {
  portalId: number;
}

export type WebhookBatchCheck =
  | {
      ok: true;
      dealEvents: readonly ReceivedDealEvent[];
      ignored: number;
      /** Elements that are not valid events; every other element is valid (a deal event or ignored). */
      refused: readonly RefusedElement[];
    }
  | { ok: false; issues: WebhookIssue[] };

/**
 * parseWebhookBatch's verdict element by element, for the intake, which stores the valid elements as
 * received and needs only to know which are deal events, how many were ignored and which are refused.
 * The compiled checks accept the common case without zod and without copying anything; whatever they
 * do not accept is decided by zod, which names the issues. Only a body that is not a batch at all
 * (not an array, empty, too long) fails whole.
 */
export function checkWebhookBatch(json: unknown): WebhookBatchCheck {
  const fast = fastCheckBatch(json);
  if (fast) return fast;
  const parsed = parseBatchElements(json);
  return parsed.ok
    ? { ok: true, dealEvents: parsed.events, ignored: parsed.ignored, refused: parsed.refused }
    : parsed;
}

/** The verdict when every element passes a compiled check; undefined as soon as one does not. Exported for the test that holds it to parseWebhookBatch. */
export function fastCheckBatch(json: unknown): WebhookBatchCheck | undefined {
  if (!Array.isArray(json) || json.length === 0 || json.length > MAX_EVENTS_PER_BATCH) return undefined;
  const dealEvents: ReceivedDealEvent[] = [];
  let ignored = 0;
  for (const element of json as unknown[]) {
    const form = dealFormNamedBy(element);
    if (form) {
      if (!form.fastCheck(element)) return undefined;
      dealEvents.push(element as ReceivedDealEvent);
      continue;
    }
    if (!fastEnvelopeCheck(element)) return undefined;
    // The same decisions as parseWebhookBatch's step-by-step path, in the same order.
    const { subscriptionType, objectTypeId } = element as {
      subscriptionType: string;
      objectTypeId?: unknown;
    };
    if (!DEAL_FORMS.has(subscriptionType)) {
      ignored += 1;
      continue;
    }
    if (!subscriptionType.startsWith('object.') || !fastGenericObjectTypeCheck(element)) return undefined;
    if (objectTypeId === DEAL_OBJECT_TYPE_ID) return undefined;
    ignored += 1;
  }
  return { ok: true, dealEvents, ignored, refused: NO_REFUSALS };
}

const NO_REFUSALS: readonly RefusedElement[] = Object.freeze([]);

/**
 * The deal form an element claims to be, read without validating anything: a deal subscription type,
 * and for the generic object.* forms the deals' objectTypeId. Undefined for everything else.
 */
function dealFormNamedBy(element: unknown) {
  if (typeof element !== 'object' || element === null) return undefined;
  const { subscriptionType, objectTypeId } = element as {
    subscriptionType?: unknown;
    objectTypeId?: unknown;
  };
  if (typeof subscriptionType !== 'string') return undefined;
  const form = DEAL_FORMS.get(subscriptionType);
  if (!form) return undefined;
  if (subscriptionType.startsWith('object.') && objectTypeId !== DEAL_OBJECT_TYPE_ID) return undefined;
  return form;
}

/** What every deal form parses to; the lifecycle forms simply have no property fields. */
interface ParsedDealForm {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  occurredAt: number;
  objectId: number | string;
  appId?: number | null | undefined;
  attemptNumber?: number | null | undefined;
  propertyName?: string;
  propertyValue?: OptionalText;
  changeSource?: OptionalText;
  sourceId?: OptionalText;
}

type OptionalText = string | number | boolean | null | undefined;

function textOrNull(value: OptionalText): string | null {
  return value === undefined || value === null ? null : String(value);
}

function toDealEvent(event: ParsedDealForm, action: DealFormAction): DealEvent {
  const propertyName = event.propertyName ?? null;
  const objectId = String(event.objectId);
  const kind: DealEventKind =
    action === 'property-change' && propertyName === DEAL_STAGE_PROPERTY ? 'stage-change' : action;
  return {
    kind,
    portalId: event.portalId,
    appId: event.appId ?? null,
    subscriptionId: event.subscriptionId,
    eventId: event.eventId,
    objectId,
    occurredAt: event.occurredAt,
    propertyName,
    propertyValue: textOrNull(event.propertyValue),
    changeSource: textOrNull(event.changeSource),
    sourceId: textOrNull(event.sourceId),
    attemptNumber: event.attemptNumber ?? 0,
    dedupeKey: dedupeKeyFor({
      subscriptionId: event.subscriptionId,
      eventId: event.eventId,
      objectId,
      occurredAt: event.occurredAt,
    }),
  };
}

function issuesOf(error: z.ZodError, prefix: (string | number)[]): WebhookIssue[] {
  return error.issues.map((issue) => ({
    path: [
      ...prefix,
      ...issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment)),
    ],
    message: issue.message,
  }));
}
