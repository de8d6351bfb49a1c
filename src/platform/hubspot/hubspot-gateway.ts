import { describeError } from '../errors/app-error';
import { Client } from '@hubspot/api-client';
import {
  AssociationSpecAssociationCategoryEnum,
  FilterOperatorEnum,
  type FilterGroup,
} from '@hubspot/api-client/lib/codegen/crm/objects/tasks';
import {
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
} from '@hubspot/api-client/lib/codegen/crm/properties';
import { ZodError, type z } from 'zod';
import type { MetricsRegistry } from '../observability/metrics.registry';
import { HubSpotError } from './hubspot-error';
import type {
  AccountDetails,
  BatchReadDealsResult,
  BatchUpdateDealsResult,
  CompleteTasksResult,
  CreatedTask,
  DealPipeline,
  DealPropertySpec,
  HubSpotDeal,
  HubSpotGateway,
  HubSpotOwner,
  HubSpotTask,
} from './hubspot-gateway.types';
import {
  accountDetailsSchema,
  associationsBatchSchema,
  batchObjectsSchema,
  crmObjectSchema,
  listPageSchema,
  namedCollectionSchema,
  ownersPageSchema,
  pipelinesSchema,
  searchPageSchema,
  userSchema,
} from './hubspot-responses.schema';
import { createKeyedLimiter, createSlidingWindowLimiter } from './portal-rate-limiter';
import { decideRetry, type FailureKind, type ObservedFailure } from './retry-policy';

/**
 * The app's only door to HubSpot. One real @hubspot/api-client `Client` per portal, built with the
 * portal's own token and `numberOfApiCallRetries: 0`: the SDK's retry and limiter settings are
 * process-wide (the last Client created sets them for all), so rate limiting and retries live here,
 * per portal. Every attempt is counted in hubspot_requests_total{operation,status}; tokens never
 * reach a metric, a log line or an error message.
 */
export interface HubSpotGatewayOptions {
  basePath: string;
  tokenForPortal: (portalId: number) => Promise<string | null> | string | null;
  metrics: MetricsRegistry;
  /** Attempts per request, first one included. */
  maxAttempts?: number;
  /** Burst budget per portal; HubSpot allows 100 (or 190) per 10 s. */
  requestsPer10s?: number;
  /** The burst window; 10 s like HubSpot's TEN_SECONDLY_ROLLING. Tests shrink it. */
  rateWindowMs?: number;
  /** HubSpot's search endpoints allow about 5 per second per portal. */
  searchRequestsPerSecond?: number;
  /** Per attempt. The SDK has no timeout of its own. */
  timeoutMs?: number;
  pipelineCacheTtlMs?: number;
  /** Backoff waits between attempts (tests record them instead of waiting). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Clock for the pipeline cache. */
  now?: () => number;
}

export const HUBSPOT_BATCH_LIMIT = 100;
export const ASSOCIATIONS_BATCH_READ_LIMIT = 1000;
export const TASK_TO_DEAL_ASSOCIATION_TYPE_ID = 216;
export const NOTE_TO_DEAL_ASSOCIATION_TYPE_ID = 214;
const SEARCH_PAGE_SIZE = 100;
const OWNERS_PAGE_SIZE = 500;
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_PIPELINE_TTL_MS = 10 * 60 * 1000;
/** A stage missing from a cached pipeline may be brand new: re-read, but not more than once a minute. */
const STAGE_MISS_REFRESH_AFTER_MS = 60 * 1000;
const TASK_PROPERTIES = [
  'hs_task_subject',
  'hs_task_body',
  'hs_task_status',
  'hs_timestamp',
  'hubspot_owner_id',
  'hs_task_priority',
];
const MARKER_TOKEN = /^[A-Za-z0-9]+$/;

const PROPERTY_TYPES: Record<DealPropertySpec['type'], PropertyCreateTypeEnum> = {
  string: PropertyCreateTypeEnum.String,
  number: PropertyCreateTypeEnum.Number,
  date: PropertyCreateTypeEnum.Date,
  datetime: PropertyCreateTypeEnum.Datetime,
  enumeration: PropertyCreateTypeEnum.Enumeration,
  bool: PropertyCreateTypeEnum.Bool,
};

const FIELD_TYPES: Record<DealPropertySpec['fieldType'], PropertyCreateFieldTypeEnum> = {
  text: PropertyCreateFieldTypeEnum.Text,
  textarea: PropertyCreateFieldTypeEnum.Textarea,
  number: PropertyCreateFieldTypeEnum.Number,
  date: PropertyCreateFieldTypeEnum.Date,
  select: PropertyCreateFieldTypeEnum.Select,
  radio: PropertyCreateFieldTypeEnum.Radio,
  checkbox: PropertyCreateFieldTypeEnum.Checkbox,
  booleancheckbox: PropertyCreateFieldTypeEnum.Booleancheckbox,
};

type PortalApis = ReturnType<typeof buildPortalApis>;

/**
 * Builds the SDK API objects right after the Client: they capture the process-wide decorators at
 * construction, and this Client has just set them to none (numberOfApiCallRetries 0, no limiter).
 */
function buildPortalApis(basePath: string, accessToken: string) {
  const client = new Client({ accessToken, basePath, numberOfApiCallRetries: 0 });
  return {
    client,
    pipelines: client.crm.pipelines.pipelinesApi,
    dealsBatch: client.crm.deals.batchApi,
    dealsBasic: client.crm.deals.basicApi,
    associationsBatch: client.crm.associations.v4.batchApi,
    tasksBatch: client.crm.objects.tasks.batchApi,
    tasksSearch: client.crm.objects.tasks.searchApi,
    notesBasic: client.crm.objects.notes.basicApi,
    notesSearch: client.crm.objects.notes.searchApi,
    owners: client.crm.owners.ownersApi,
    users: client.settings.users.usersApi,
    properties: client.crm.properties.coreApi,
    propertyGroups: client.crm.properties.groupsApi,
  };
}

/** The shape of the SDK's ApiException (one class per generated module, so no instanceof). */
interface HttpFailureLike {
  code: number;
  body: unknown;
  headers: Record<string, string>;
}

class HttpFailure extends Error implements HttpFailureLike {
  constructor(
    readonly code: number,
    readonly body: unknown,
    readonly headers: Record<string, string>,
  ) {
    super(`HTTP ${code}`);
  }
}

class AttemptTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

function isHttpFailure(error: unknown): error is HttpFailureLike {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'number' &&
    'headers' in error &&
    'body' in error
  );
}

interface Observed {
  observed: ObservedFailure;
  category: string;
  label: string;
  message?: string;
  correlationId?: string;
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

function policyFrom(body: Record<string, unknown>, message: string | undefined): string | undefined {
  if (typeof body.policyName === 'string') return body.policyName;
  // The SDK's error model drops policyName; HubSpot's messages name the policy too.
  if (!message) return undefined;
  if (/ten_secondly_rolling/i.test(message)) return 'TEN_SECONDLY_ROLLING';
  if (/daily limit/i.test(message)) return 'DAILY';
  if (/secondly limit/i.test(message)) return 'SECONDLY';
  return undefined;
}

function observe(error: unknown): Observed {
  if (error instanceof AttemptTimeout) {
    return {
      observed: { kind: 'timeout', status: 0 },
      category: 'TIMEOUT',
      label: 'timeout',
      message: error.message,
    };
  }
  if (isHttpFailure(error)) {
    const body =
      typeof error.body === 'object' && error.body !== null ? (error.body as Record<string, unknown>) : {};
    const headers = lowerCaseKeys(error.headers);
    const message = typeof body.message === 'string' ? body.message : undefined;
    const retryAfter = Number(headers['retry-after']);
    const interval = Number(headers['x-hubspot-ratelimit-interval-milliseconds']);
    const policyName = error.code === 429 ? policyFrom(body, message) : undefined;
    const correlationId =
      typeof body.correlationId === 'string' ? body.correlationId : headers['x-hubspot-correlation-id'];
    return {
      observed: {
        kind: 'http',
        status: error.code,
        ...(policyName ? { policyName } : {}),
        ...(Number.isFinite(retryAfter) && retryAfter >= 0 && headers['retry-after']
          ? { retryAfterMs: retryAfter * 1000 }
          : {}),
        ...(Number.isFinite(interval) && interval > 0 ? { intervalMs: interval } : {}),
      },
      category:
        typeof body.category === 'string'
          ? body.category
          : error.code === 429
            ? 'RATE_LIMITS'
            : error.code >= 500
              ? 'SERVER_ERROR'
              : 'HTTP_ERROR',
      label: String(error.code),
      ...(message ? { message } : {}),
      ...(correlationId ? { correlationId } : {}),
    };
  }
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : (error as { code?: unknown } | null)?.code;
  if (error instanceof TypeError || typeof code === 'string') {
    const kind: FailureKind = code === 'ECONNREFUSED' ? 'connection-refused' : 'network';
    return {
      observed: { kind, status: 0 },
      category: 'NETWORK_ERROR',
      label: 'network_error',
      message: typeof code === 'string' ? code : (error as Error).message,
    };
  }
  return {
    observed: { kind: 'unexpected', status: 0 },
    category: 'UNEXPECTED',
    label: 'error',
    message: describeError(error),
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  // The SDK cannot abort a request; a late answer is dropped but must not surface as unhandled.
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AttemptTimeout(ms)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

function toDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const parsed = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isNaN(parsed) ? null : new Date(parsed);
}

function toTask(object: z.infer<typeof crmObjectSchema>): HubSpotTask {
  const p = object.properties;
  return {
    id: object.id,
    subject: p.hs_task_subject ?? null,
    body: p.hs_task_body ?? null,
    status: p.hs_task_status ?? null,
    dueAt: toDate(p.hs_timestamp),
    ownerId: p.hubspot_owner_id || null,
    createdAt: object.createdAt,
    updatedAt: object.updatedAt,
  };
}

function toDeal(object: z.infer<typeof crmObjectSchema>): HubSpotDeal {
  return {
    id: object.id,
    properties: object.properties,
    propertiesWithHistory: object.propertiesWithHistory ?? {},
    createdAt: object.createdAt,
    updatedAt: object.updatedAt,
  };
}

/** Ids a 207 reports as not found (errors[].context.ids). */
function idsInErrors(
  errors: ReadonlyArray<{ context?: Record<string, string[]> | undefined }> | undefined,
): string[] {
  return (errors ?? []).flatMap((e) => e.context?.ids ?? []);
}

export function createHubSpotGateway(options: HubSpotGatewayOptions): HubSpotGateway {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const pipelineTtlMs = options.pipelineCacheTtlMs ?? DEFAULT_PIPELINE_TTL_MS;
  const burstLimiter = createKeyedLimiter(() =>
    createSlidingWindowLimiter({
      max: options.requestsPer10s ?? 100,
      windowMs: options.rateWindowMs ?? 10_000,
    }),
  );
  const searchLimiter = createKeyedLimiter(() =>
    createSlidingWindowLimiter({ max: options.searchRequestsPerSecond ?? 4, windowMs: 1_000 }),
  );

  const requestsTotal = options.metrics.counter(
    'hubspot_requests_total',
    'HubSpot API requests (every attempt) by operation and response status',
  );
  const retriesTotal = options.metrics.counter(
    'hubspot_retries_total',
    'HubSpot API retries by operation and reason',
  );
  const duration = options.metrics.histogram(
    'hubspot_request_duration_seconds',
    'HubSpot API request duration by operation',
  );

  const clients = new Map<number, { token: string; apis: PortalApis }>();

  async function apisFor(portalId: number, operation: string): Promise<PortalApis> {
    const token = await options.tokenForPortal(portalId);
    if (!token) {
      throw new HubSpotError({
        status: 0,
        category: 'PORTAL_NOT_CONNECTED',
        retryable: false,
        operation,
        portalId,
        attempts: 0,
        outcomeUnknown: false,
        hubspotMessage: 'no access token for this portal',
      });
    }
    const cached = clients.get(portalId);
    if (cached && cached.token === token) return cached.apis;
    const apis = buildPortalApis(options.basePath, token);
    clients.set(portalId, { token, apis });
    return apis;
  }

  async function call<T>(
    portalId: number,
    operation: string,
    kind: { idempotent: boolean; search?: boolean },
    attempt: (apis: PortalApis) => Promise<{ httpStatusCode: number; data: T }>,
  ): Promise<{ status: number; data: T }> {
    const apis = await apisFor(portalId, operation);
    for (let attempts = 1; ; attempts += 1) {
      await burstLimiter(portalId).acquire();
      if (kind.search) await searchLimiter(portalId).acquire();
      const started = performance.now();
      try {
        const result = await withTimeout(attempt(apis), timeoutMs);
        requestsTotal.inc({ operation, status: String(result.httpStatusCode) });
        duration.observe({ operation }, (performance.now() - started) / 1000);
        return { status: result.httpStatusCode, data: result.data };
      } catch (error) {
        const seen = observe(error);
        requestsTotal.inc({ operation, status: seen.label });
        duration.observe({ operation }, (performance.now() - started) / 1000);
        const decision = decideRetry(seen.observed, attempts, kind.idempotent, random);
        if (decision.retryNow && attempts < maxAttempts) {
          retriesTotal.inc({ operation, reason: seen.label });
          await sleep(decision.delayMs);
          continue;
        }
        throw new HubSpotError({
          status: seen.observed.status,
          category: seen.category,
          retryable: decision.retryable,
          operation,
          portalId,
          attempts,
          outcomeUnknown: decision.outcomeUnknown,
          ...(seen.correlationId ? { correlationId: seen.correlationId } : {}),
          ...(seen.message ? { hubspotMessage: seen.message } : {}),
        });
      }
    }
  }

  function parse<S extends z.ZodType>(
    schema: S,
    data: unknown,
    operation: string,
    portalId: number,
  ): z.infer<S> {
    try {
      return schema.parse(data);
    } catch (error) {
      if (!(error instanceof ZodError)) throw error;
      throw new HubSpotError({
        status: 200,
        category: 'INVALID_RESPONSE',
        retryable: false,
        operation,
        portalId,
        attempts: 1,
        outcomeUnknown: false,
        hubspotMessage: error.issues
          .slice(0, 3)
          .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
          .join('; '),
      });
    }
  }

  const pipelineCache = new Map<number, { loadedAt: number; pipelines: Promise<DealPipeline[]> }>();

  async function loadPipelines(portalId: number): Promise<DealPipeline[]> {
    const operation = 'getDealPipelines';
    const { data } = await call(portalId, operation, { idempotent: true }, (apis) =>
      apis.pipelines.getAllWithHttpInfo('deals'),
    );
    const parsed = parse(pipelinesSchema, data, operation, portalId);
    return parsed.results
      .map((pipeline) => ({
        id: pipeline.id,
        label: pipeline.label,
        displayOrder: pipeline.displayOrder,
        archived: pipeline.archived,
        stages: pipeline.stages
          .map((stage) => {
            const probability = Number(stage.metadata?.probability);
            return {
              id: stage.id,
              label: stage.label,
              displayOrder: stage.displayOrder,
              probability:
                stage.metadata?.probability === undefined || Number.isNaN(probability) ? null : probability,
              isClosed: stage.metadata?.isClosed === 'true',
              archived: stage.archived,
            };
          })
          .sort((a, b) => a.displayOrder - b.displayOrder),
      }))
      .sort((a, b) => a.displayOrder - b.displayOrder);
  }

  const gateway: HubSpotGateway = {
    async getAccountDetails(portalId) {
      const operation = 'getAccountDetails';
      // The SDK has no typed API for account-info; apiRequest goes through the same Client and token.
      const { data } = await call(portalId, operation, { idempotent: true }, async (apis) => {
        const response = await apis.client.apiRequest({ method: 'GET', path: '/account-info/v3/details' });
        const text = await response.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Non-JSON answers (an HTML 502 from HubSpot's edge) stay text.
        }
        if (!response.ok) {
          const headers: Record<string, string> = {};
          response.headers.forEach((value, name) => {
            headers[name] = value;
          });
          throw new HttpFailure(response.status, body, headers);
        }
        return { httpStatusCode: response.status, data: body };
      });
      const parsed = parse(accountDetailsSchema, data, operation, portalId);
      const details: AccountDetails = {
        portalId: parsed.portalId,
        timeZone: parsed.timeZone,
        companyCurrency: parsed.companyCurrency,
        uiDomain: parsed.uiDomain,
        dataHostingLocation: parsed.dataHostingLocation,
        accountType: parsed.accountType,
        utcOffsetMilliseconds: parsed.utcOffsetMilliseconds ?? null,
      };
      return details;
    },

    getDealPipelines(portalId) {
      const cached = pipelineCache.get(portalId);
      if (cached && now() - cached.loadedAt < pipelineTtlMs) return cached.pipelines;
      const pipelines = loadPipelines(portalId);
      const entry = { loadedAt: now(), pipelines };
      pipelineCache.set(portalId, entry);
      // A failed load is not cached: the next caller tries again.
      pipelines.catch(() => {
        if (pipelineCache.get(portalId) === entry) pipelineCache.delete(portalId);
      });
      return pipelines;
    },

    forgetDealPipelines(portalId) {
      pipelineCache.delete(portalId);
    },

    async findDealStage(portalId, pipelineId, stageId) {
      const lookup = (pipelines: DealPipeline[]) => {
        const pipeline = pipelines.find((p) => p.id === pipelineId);
        const stage = pipeline?.stages.find((s) => s.id === stageId);
        return pipeline && stage ? { pipeline, stage } : null;
      };
      const found = lookup(await gateway.getDealPipelines(portalId));
      if (found) return found;
      const cached = pipelineCache.get(portalId);
      if (!cached || now() - cached.loadedAt < STAGE_MISS_REFRESH_AFTER_MS) return null;
      gateway.forgetDealPipelines(portalId);
      return lookup(await gateway.getDealPipelines(portalId));
    },

    async getStageLabel(portalId, pipelineId, stageId) {
      return (await gateway.findDealStage(portalId, pipelineId, stageId))?.stage.label ?? null;
    },

    async batchReadDeals(portalId, dealIds, properties, readOptions = {}) {
      const operation = 'batchReadDeals';
      const ids = [...new Set(dealIds)];
      const deals: HubSpotDeal[] = [];
      const missing = new Set<string>();
      for (const ids100 of chunk(ids, HUBSPOT_BATCH_LIMIT)) {
        const { data } = await call(portalId, operation, { idempotent: true }, (apis) =>
          apis.dealsBatch.readWithHttpInfo(
            {
              inputs: ids100.map((id) => ({ id })),
              properties: [...properties],
              propertiesWithHistory: [...(readOptions.propertiesWithHistory ?? [])],
            },
            false,
          ),
        );
        const parsed = parse(batchObjectsSchema, data, operation, portalId);
        const returned = new Set(parsed.results.map((r) => r.id));
        deals.push(...parsed.results.map(toDeal));
        for (const id of [...idsInErrors(parsed.errors), ...ids100.filter((id) => !returned.has(id))])
          missing.add(id);
      }
      const result: BatchReadDealsResult = { deals, missingIds: [...missing] };
      return result;
    },

    async *pageDealIds(portalId) {
      const operation = 'pageDealIds';
      let after: string | undefined;
      do {
        const { data } = await call(portalId, operation, { idempotent: true }, (apis) =>
          apis.dealsBasic.getPageWithHttpInfo(
            HUBSPOT_BATCH_LIMIT,
            after,
            ['hs_object_id'],
            undefined,
            undefined,
            false,
          ),
        );
        const page = parse(listPageSchema, data, operation, portalId);
        if (page.results.length > 0) yield page.results.map((deal) => deal.id);
        after = page.paging?.next?.after;
      } while (after);
    },

    async readAssociationCounts(portalId, dealIds, toObjectType) {
      const operation = 'readAssociationCounts';
      const counts = new Map<string, number>(dealIds.map((id) => [id, 0]));
      const seen = new Map<string, Set<string>>();
      let pending: Array<{ id: string; after?: string }> = [...new Set(dealIds)].map((id) => ({ id }));
      while (pending.length > 0) {
        const next: typeof pending = [];
        for (const inputs of chunk(pending, ASSOCIATIONS_BATCH_READ_LIMIT)) {
          const { data } = await call(portalId, operation, { idempotent: true }, (apis) =>
            apis.associationsBatch.getPageWithHttpInfo('deals', toObjectType, { inputs }),
          );
          // Deals without any association come back in errors[] (NO_ASSOCIATIONS_FOUND): they count 0.
          const parsed = parse(associationsBatchSchema, data, operation, portalId);
          for (const result of parsed.results) {
            const ids = seen.get(result._from.id) ?? new Set<string>();
            for (const to of result.to) ids.add(to.toObjectId);
            seen.set(result._from.id, ids);
            counts.set(result._from.id, ids.size);
            const after = result.paging?.next?.after;
            if (after) next.push({ id: result._from.id, after });
          }
        }
        pending = next;
      }
      return counts;
    },

    async batchUpdateDeals(portalId, updates) {
      const operation = 'batchUpdateDeals';
      const updatedIds: string[] = [];
      const missing = new Set<string>();
      for (const batch of chunk(updates, HUBSPOT_BATCH_LIMIT)) {
        const { data } = await call(portalId, operation, { idempotent: true }, (apis) =>
          apis.dealsBatch.updateWithHttpInfo({
            inputs: batch.map((u) => ({ id: u.id, properties: toWritableProperties(u.properties) })),
          }),
        );
        const parsed = parse(batchObjectsSchema, data, operation, portalId);
        updatedIds.push(...parsed.results.map((r) => r.id));
        for (const id of idsInErrors(parsed.errors)) missing.add(id);
      }
      const result: BatchUpdateDealsResult = { updatedIds, missingIds: [...missing] };
      return result;
    },

    async ensureDealProperties(portalId, group, properties) {
      const tolerateConflict = async (work: () => Promise<unknown>): Promise<boolean> => {
        try {
          await work();
          return true;
        } catch (error) {
          // Someone (another instance, an earlier half-finished run) created it first: that is the goal.
          if (error instanceof HubSpotError && error.status === 409) return false;
          throw error;
        }
      };
      const groupsData = await call(portalId, 'listDealPropertyGroups', { idempotent: true }, (apis) =>
        apis.propertyGroups.getAllWithHttpInfo('deals'),
      );
      const groups = parse(namedCollectionSchema, groupsData.data, 'listDealPropertyGroups', portalId);
      let groupCreated = false;
      if (!groups.results.some((g) => g.name === group.name)) {
        groupCreated = await tolerateConflict(() =>
          call(portalId, 'createDealPropertyGroup', { idempotent: true }, (apis) =>
            apis.propertyGroups.createWithHttpInfo('deals', {
              name: group.name,
              label: group.label,
              ...(group.displayOrder === undefined ? {} : { displayOrder: group.displayOrder }),
            }),
          ),
        );
      }
      const existingData = await call(portalId, 'listDealProperties', { idempotent: true }, (apis) =>
        apis.properties.getAllWithHttpInfo('deals', false),
      );
      const existing = new Set(
        parse(namedCollectionSchema, existingData.data, 'listDealProperties', portalId).results.map(
          (p) => p.name,
        ),
      );
      const createdProperties: string[] = [];
      for (const spec of properties) {
        if (existing.has(spec.name)) continue;
        const created = await tolerateConflict(() =>
          call(portalId, 'createDealProperty', { idempotent: true }, (apis) =>
            apis.properties.createWithHttpInfo('deals', {
              name: spec.name,
              label: spec.label,
              type: PROPERTY_TYPES[spec.type],
              fieldType: FIELD_TYPES[spec.fieldType],
              groupName: group.name,
              ...(spec.description === undefined ? {} : { description: spec.description }),
              ...(spec.options === undefined
                ? {}
                : {
                    options: spec.options.map((o, index) => ({
                      label: o.label,
                      value: o.value,
                      displayOrder: o.displayOrder ?? index,
                      hidden: o.hidden ?? false,
                    })),
                  }),
            }),
          ),
        );
        if (created) createdProperties.push(spec.name);
      }
      return { groupCreated, createdProperties };
    },

    async createTasks(portalId, tasks) {
      const operation = 'createTasks';
      const created: CreatedTask[] = [];
      let offset = 0;
      for (const batch of chunk(tasks, HUBSPOT_BATCH_LIMIT)) {
        const traceIds = batch.map((task, index) => task.key ?? `task-${offset + index}`);
        offset += batch.length;
        let data: unknown;
        try {
          ({ data } = await call(portalId, operation, { idempotent: false }, (apis) =>
            apis.tasksBatch.createWithHttpInfo({
              inputs: batch.map((task, index) => ({
                objectWriteTraceId: traceIds[index],
                properties: {
                  hs_timestamp: task.dueAt.toISOString(),
                  hs_task_subject: task.subject,
                  hs_task_body: task.body,
                  hs_task_status: 'NOT_STARTED',
                  hs_task_priority: task.priority ?? 'MEDIUM',
                  hs_task_type: 'TODO',
                  ...(task.ownerId ? { hubspot_owner_id: task.ownerId } : {}),
                },
                associations: [
                  {
                    to: { id: task.dealId },
                    types: [
                      {
                        associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined,
                        associationTypeId: TASK_TO_DEAL_ASSOCIATION_TYPE_ID,
                      },
                    ],
                  },
                ],
              })),
            }),
          ));
        } catch (error) {
          if (error instanceof HubSpotError) error.partialResult = created.slice();
          throw error;
        }
        const parsed = parse(batchObjectsSchema, data, operation, portalId);
        parsed.results.forEach((result, index) => {
          // HubSpot does not promise result order; objectWriteTraceId ties each result to its input.
          const inputIndex =
            result.objectWriteTraceId === undefined ? index : traceIds.indexOf(result.objectWriteTraceId);
          const input = batch[inputIndex];
          created.push({ ...toTask(result), key: input?.key ?? null, dealId: input?.dealId ?? '' });
        });
      }
      return created;
    },

    async searchTasksForDeal(portalId, dealId) {
      return searchTasks(portalId, 'searchTasksForDeal', [
        { filters: [{ propertyName: 'associations.deal', operator: FilterOperatorEnum.Eq, value: dealId }] },
      ]);
    },

    async findTasksByMarker(portalId, marker) {
      if (!MARKER_TOKEN.test(marker)) {
        throw new Error(
          'A task marker must be a single token of letters and digits, or HubSpot search cannot find it',
        );
      }
      return searchTasks(portalId, 'findTasksByMarker', [
        {
          filters: [
            { propertyName: 'hs_task_body', operator: FilterOperatorEnum.ContainsToken, value: marker },
          ],
        },
      ]);
    },

    async completeTasks(portalId, taskIds) {
      const operation = 'completeTasks';
      const completedIds: string[] = [];
      const missing = new Set<string>();
      for (const batch of chunk([...new Set(taskIds)], HUBSPOT_BATCH_LIMIT)) {
        const { data } = await call(portalId, operation, { idempotent: true }, (apis) =>
          apis.tasksBatch.updateWithHttpInfo({
            inputs: batch.map((id) => ({ id, properties: { hs_task_status: 'COMPLETED' } })),
          }),
        );
        const parsed = parse(batchObjectsSchema, data, operation, portalId);
        completedIds.push(...parsed.results.map((r) => r.id));
        for (const id of idsInErrors(parsed.errors)) missing.add(id);
      }
      const result: CompleteTasksResult = { completedIds, missingIds: [...missing] };
      return result;
    },

    async createDealNote(portalId, note) {
      const operation = 'createDealNote';
      const { data } = await call(portalId, operation, { idempotent: false }, (apis) =>
        apis.notesBasic.createWithHttpInfo({
          properties: { hs_timestamp: note.at.toISOString(), hs_note_body: note.body },
          associations: [
            {
              to: { id: note.dealId },
              types: [
                {
                  associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined,
                  associationTypeId: NOTE_TO_DEAL_ASSOCIATION_TYPE_ID,
                },
              ],
            },
          ],
        }),
      );
      return parse(crmObjectSchema, data, operation, portalId).id;
    },

    async findNotesByMarker(portalId, marker) {
      const operation = 'findNotesByMarker';
      if (!MARKER_TOKEN.test(marker)) {
        throw new Error('A note marker must be a single token of letters and digits');
      }
      const { data } = await call(portalId, operation, { idempotent: true, search: true }, (apis) =>
        apis.notesSearch.doSearchWithHttpInfo({
          filterGroups: [
            {
              filters: [
                { propertyName: 'hs_note_body', operator: FilterOperatorEnum.ContainsToken, value: marker },
              ],
            },
          ],
          properties: ['hs_note_body'],
          limit: SEARCH_PAGE_SIZE,
        }),
      );
      return parse(searchPageSchema, data, operation, portalId).results.map((result) => result.id);
    },

    async getUser(portalId, userId) {
      const operation = 'getUser';
      try {
        const { data } = await call(portalId, operation, { idempotent: true }, (apis) =>
          apis.users.getByIdWithHttpInfo(userId, 'USER_ID'),
        );
        const user = parse(userSchema, data, operation, portalId);
        return {
          id: user.id,
          email: user.email,
          firstName: user.firstName ?? null,
          lastName: user.lastName ?? null,
          roleIds: user.roleIds ?? [],
          primaryTeamId: user.primaryTeamId ?? null,
          secondaryTeamIds: user.secondaryTeamIds ?? [],
          superAdmin: user.superAdmin ?? false,
        };
      } catch (error) {
        if (error instanceof HubSpotError && error.status === 404) return null;
        throw error;
      }
    },

    async listOwners(portalId) {
      const operation = 'listOwners';
      const owners: HubSpotOwner[] = [];
      let after: string | undefined;
      do {
        const { data } = await call(portalId, operation, { idempotent: true }, (apis) =>
          apis.owners.getPageWithHttpInfo(undefined, after, OWNERS_PAGE_SIZE, false),
        );
        const page = parse(ownersPageSchema, data, operation, portalId);
        owners.push(
          ...page.results.map((o) => ({
            id: o.id,
            email: o.email ?? null,
            firstName: o.firstName ?? null,
            lastName: o.lastName ?? null,
            userId: o.userId === undefined ? null : String(o.userId),
            teams: o.teams ?? [],
          })),
        );
        after = page.paging?.next?.after;
      } while (after);
      return owners;
    },
  };

  async function searchTasks(
    portalId: number,
    operation: string,
    filterGroups: FilterGroup[],
  ): Promise<HubSpotTask[]> {
    const tasks: HubSpotTask[] = [];
    let after: string | undefined;
    do {
      const { data } = await call(portalId, operation, { idempotent: true, search: true }, (apis) =>
        apis.tasksSearch.doSearchWithHttpInfo({
          filterGroups,
          properties: TASK_PROPERTIES,
          limit: SEARCH_PAGE_SIZE,
          sorts: ['hs_createdate'],
          ...(after === undefined ? {} : { after }),
        }),
      );
      const page = parse(searchPageSchema, data, operation, portalId);
      tasks.push(...page.results.map(toTask));
      after = page.paging?.next?.after;
    } while (after);
    return tasks;
  }

  return gateway;
}

/** HubSpot clears a property with an empty string; null is how the app says "clear". */
function toWritableProperties(properties: Record<string, string | null>): Record<string, string> {
  return Object.fromEntries(Object.entries(properties).map(([name, value]) => [name, value ?? '']));
}
