import { Client } from '@hubspot/api-client';
import { ZodError, type z } from 'zod';
import { describeError } from '../errors/app-error';
import type { MetricsRegistry } from '../observability/metrics.registry';
import { HubSpotError } from './hubspot-error';
import {
  createKeyedLimiter,
  createSharedWindowLimiter,
  createSlidingWindowLimiter,
  type RateBucket,
  type SharedRateBudget,
} from './portal-rate-limiter';
import { decideRetry, type FailureKind, type ObservedFailure } from './retry-policy';

/**
 * The app's only door to HubSpot; the resource modules (*.api.ts) all go through it. One real
 * @hubspot/api-client `Client` per portal, built with the portal's own token and
 * `numberOfApiCallRetries: 0`: the SDK's retry and limiter settings are process-wide (the last Client
 * created sets them for all), so rate limiting and retries live here, per portal. Every attempt is
 * counted in hubspot_requests_total{operation,status}; tokens never reach a metric, a log line or an
 * error message.
 */
export interface HubSpotTransportOptions {
  basePath: string;
  tokenForPortal: (portalId: number) => Promise<string | null> | string | null;
  /**
   * HubSpot answered 401 to this token (an OAuth access token expired or revoked early): the next
   * tokenForPortal should give a new one. The request is then retried once, if the token changed.
   */
  tokenRejected?: (portalId: number, token: string) => Promise<void>;
  metrics: MetricsRegistry;
  /** Attempts per request, first one included. */
  maxAttempts?: number;
  /** Burst budget per portal; HubSpot allows 100 (or 190) per 10 s. */
  requestsPer10s?: number;
  /** The burst window; 10 s like HubSpot's TEN_SECONDLY_ROLLING. Tests shrink it. */
  rateWindowMs?: number;
  /**
   * Where the burst budget is kept when instances share it (PostgreSQL): HubSpot's limit is per portal,
   * so several instances must not each spend a whole one. Without it, the budget is this process's.
   */
  sharedBudget?: SharedRateBudget;
  /** HubSpot's search endpoints allow about 5 per second per portal (shared like the burst budget). */
  searchRequestsPerSecond?: number;
  /** Per attempt. The SDK has no timeout of its own. */
  timeoutMs?: number;
  /** Backoff waits between attempts (tests record them instead of waiting). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface CallKind {
  /** May the call be repeated after an ambiguous failure (5xx, timeout) without doing the work twice? */
  idempotent: boolean;
  /** Search endpoints have their own, lower per-portal limit. */
  search?: boolean;
}

/** What one attempt answers: the SDK's `*WithHttpInfo` shape. */
export interface AttemptResult<T> {
  httpStatusCode: number;
  data: T;
}

export interface HubSpotTransport {
  /**
   * Runs `attempt` against the portal's own client: rate limited, timed out, retried as the retry
   * policy says, counted under `operation`. Throws a HubSpotError once retrying cannot help.
   */
  call<T>(
    portalId: number,
    operation: string,
    kind: CallKind,
    attempt: (apis: PortalApis) => Promise<AttemptResult<T>>,
  ): Promise<{ status: number; data: T }>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** The longest a start reserved from the shared budget stays usable, and the most reserved at once. */
const SHARED_BLOCK_HOLD_MS = 500;
const SHARED_MAX_BLOCK = 20;

export type PortalApis = ReturnType<typeof buildPortalApis>;

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
    dealsSearch: client.crm.deals.searchApi,
    associationsBatch: client.crm.associations.v4.batchApi,
    tasksBatch: client.crm.objects.tasks.batchApi,
    tasksSearch: client.crm.objects.tasks.searchApi,
    notesBatch: client.crm.objects.notes.batchApi,
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

/**
 * One request through the portal's Client for an endpoint the SDK has no typed API for, answered in
 * the `*WithHttpInfo` shape; a non-2xx answer throws like the SDK's own APIs do, so `call` maps it.
 */
export async function requestJson(
  client: Client,
  request: { method: 'GET'; path: string },
): Promise<AttemptResult<unknown>> {
  const response = await client.apiRequest(request);
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
}

/** Parses a HubSpot answer at the edge; a shape HubSpot changed under us is a non-retryable HubSpotError. */
export function parseResponse<S extends z.ZodType>(
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

export function createHubSpotTransport(options: HubSpotTransportOptions): HubSpotTransport {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const burst = { max: options.requestsPer10s ?? 100, windowMs: options.rateWindowMs ?? 10_000 };
  const search = { max: options.searchRequestsPerSecond ?? 4, windowMs: 1_000 };
  const { sharedBudget } = options;
  // Both of HubSpot's limits are per portal, so instances sharing a database share both. A block is at
  // most a tenth of the budget (20 at most), held at most a twentieth of the window: at worst a start is
  // counted a twentieth of a window longer than HubSpot counts it.
  const limiterFor = (bucket: RateBucket, limit: { max: number; windowMs: number }) =>
    createKeyedLimiter((portalId) =>
      sharedBudget
        ? createSharedWindowLimiter({
            ...limit,
            portalId,
            bucket,
            budget: sharedBudget,
            maxBlock: Math.max(1, Math.min(SHARED_MAX_BLOCK, Math.floor(limit.max / 10))),
            holdMs: Math.min(SHARED_BLOCK_HOLD_MS, limit.windowMs / 20),
          })
        : createSlidingWindowLimiter(limit),
    );
  const burstLimiter = limiterFor('burst', burst);
  const searchLimiter = limiterFor('search', search);

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

  async function apisFor(portalId: number, operation: string): Promise<{ token: string; apis: PortalApis }> {
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
    if (cached && cached.token === token) return cached;
    const built = { token, apis: buildPortalApis(options.basePath, token) };
    clients.set(portalId, built);
    return built;
  }

  return {
    async call(portalId, operation, kind, attempt) {
      let { token, apis } = await apisFor(portalId, operation);
      let reauthorized = false;
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
          if (seen.observed.status === 401 && !reauthorized && options.tokenRejected) {
            // One refresh and one retry: a 401 cannot have done the work, so repeating it is safe.
            reauthorized = true;
            await options.tokenRejected(portalId, token);
            const next = await apisFor(portalId, operation);
            if (next.token !== token) {
              ({ token, apis } = next);
              retriesTotal.inc({ operation, reason: '401' });
              continue;
            }
          }
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
    },
  };
}
