import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  expiredAuthentication,
  invalidAuthentication,
  rateLimited,
  serverError,
  validationError,
  type FakeResponse,
  type RateLimitPolicy,
} from './hubspot-error-bodies';
import { LocalHubSpotState } from './local-hubspot.state';
import { handleRoute } from './local-hubspot.routes';

/**
 * The local HubSpot: a node:http server that answers the CRM, settings and account-info endpoints the
 * app uses, for several portals at once, each behind its own Bearer token. It enforces HubSpot's
 * per-portal rate limits (ten-secondly for everything, secondly for search), records every request for
 * tests to count, and takes injected faults: 429/5xx answers, slow answers, and answers lost after the
 * work was done (the timeout-after-create case).
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  body: unknown;
  /** The portal the token belongs to; null when the token was missing or unknown. */
  portalId: number | null;
  /** Which kind of token it was: an OAuth access token HubSpot issued to an app, or a private app's. */
  tokenKind: 'oauth' | 'private-app' | null;
  at: Date;
  /** The status answered; null while pending, and for requests whose answer was never sent. */
  status: number | null;
}

export interface FaultSpec {
  method?: string;
  path: string | RegExp;
  /** Status to answer with. Without it the fault only delays, or (with afterResponse) hangs. */
  status?: 429 | 500 | 502 | 503;
  /** How many matching requests the fault hits; default 1. */
  times?: number;
  /** Let this many matching requests through before the fault starts hitting. */
  skip?: number;
  /**
   * Hit only requests whose body holds this text, e.g. `"id":"42"`: HubSpot failing every request that
   * touches one record (a record its backend cannot serve) while the same call without it works.
   */
  bodyContains?: string;
  /** Replaces HubSpot's default body for the status. */
  body?: unknown;
  headers?: Record<string, string>;
  /** For 429: which of HubSpot's policies was hit; default TEN_SECONDLY_ROLLING. */
  policyName?: RateLimitPolicy;
  delayMs?: number;
  /** Do the work first, then fail with `status` or, without one, never answer. */
  afterResponse?: boolean;
}

export interface RateLimitSettings {
  max: number;
  intervalMs: number;
}

export interface LocalHubSpotOptions {
  port?: number;
  latencyMs?: number;
  state?: LocalHubSpotState;
  /** HubSpot's per-portal burst limit; default 190 per 10 s (a Professional private app). false disables. */
  rateLimit?: RateLimitSettings | false;
  /** HubSpot's search limit per portal; default 5 per second. false disables. */
  searchRateLimit?: RateLimitSettings | false;
}

export interface LocalHubSpot {
  url: string;
  state: LocalHubSpotState;
  requests: RecordedRequest[];
  inject(fault: FaultSpec): void;
  clearFaults(): void;
  close(): Promise<void>;
}

const DEFAULT_RATE_LIMIT: RateLimitSettings = { max: 190, intervalMs: 10_000 };
const DEFAULT_SEARCH_RATE_LIMIT: RateLimitSettings = { max: 5, intervalMs: 1_000 };
const DAILY_LIMIT = 1_000_000;
const MAX_BODY_BYTES = 5 * 1024 * 1024;

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class SlidingWindow {
  private readonly hits = new Map<number, number[]>();
  constructor(private readonly settings: RateLimitSettings) {}

  /** Records a hit unless the window is full; returns the hits left after this one, or -1 when refused. */
  take(portalId: number, at: number): number {
    const recent = (this.hits.get(portalId) ?? []).filter((t) => t > at - this.settings.intervalMs);
    if (recent.length >= this.settings.max) {
      this.hits.set(portalId, recent);
      return -1;
    }
    recent.push(at);
    this.hits.set(portalId, recent);
    return this.settings.max - recent.length;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    record[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return record;
}

function answerOAuth(
  state: LocalHubSpotState,
  method: string,
  path: string,
  query: URLSearchParams,
  req: IncomingMessage,
  rawBody: string,
): FakeResponse | null {
  if (method === 'GET' && path === '/oauth/authorize') return state.oauth.authorize(query);
  if (method === 'POST' && path === '/oauth/v1/token') {
    // HubSpot reads the token request as a form only.
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
      return validationError('expected an application/x-www-form-urlencoded body');
    return state.oauth.token(new URLSearchParams(rawBody));
  }
  const info = /^\/oauth\/v1\/access-tokens\/([^/]+)$/.exec(path);
  if (method === 'GET' && info) return state.oauth.accessTokenInfo(decodeURIComponent(info[1]!));
  return null;
}

export async function startLocalHubSpot(options: LocalHubSpotOptions = {}): Promise<LocalHubSpot> {
  const state = options.state ?? new LocalHubSpotState();
  const requests: RecordedRequest[] = [];
  let faults: Array<FaultSpec & { remaining: number; skipping: number }> = [];
  const burst =
    options.rateLimit === false ? null : new SlidingWindow(options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const burstSettings = options.rateLimit === false ? null : (options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const search =
    options.searchRateLimit === false
      ? null
      : new SlidingWindow(options.searchRateLimit ?? DEFAULT_SEARCH_RATE_LIMIT);
  let url = '';

  const takeFault = (method: string, path: string, rawBody: string) => {
    const fault = faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || f.method.toUpperCase() === method) &&
        (typeof f.path === 'string' ? f.path === path : f.path.test(path)) &&
        (f.bodyContains === undefined || rawBody.includes(f.bodyContains)),
    );
    if (!fault) return undefined;
    if (fault.skipping > 0) {
      fault.skipping -= 1;
      return undefined;
    }
    fault.remaining -= 1;
    faults = faults.filter((f) => f.remaining > 0);
    return fault;
  };

  const send = (
    res: ServerResponse,
    record: RecordedRequest,
    response: FakeResponse,
    headers: Record<string, string>,
  ) => {
    record.status = response.status;
    const isText = typeof response.body === 'string' && response.contentType !== undefined;
    const payload = isText ? (response.body as string) : JSON.stringify(response.body);
    res.writeHead(response.status, {
      'Content-Type': isText ? `${response.contentType};charset=utf-8` : 'application/json;charset=utf-8',
      ...headers,
      ...response.headers,
    });
    res.end(payload);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const parsed = new URL(req.url ?? '/', 'http://local');
    // The SDK sends some collection paths with a trailing slash (/crm/v3/owners/); HubSpot accepts both.
    const path = parsed.pathname.length > 1 ? parsed.pathname.replace(/\/+$/, '') : parsed.pathname;
    const rawBody = await readBody(req);
    const record: RecordedRequest = {
      method,
      path,
      query: queryRecord(parsed.searchParams),
      body: undefined,
      portalId: null,
      tokenKind: null,
      at: new Date(),
      status: null,
    };
    requests.push(record);
    if (options.latencyMs) await wait(options.latencyMs);

    // HubSpot's OAuth endpoints take no Bearer token: the client's credentials travel in the form.
    const oauthResponse = answerOAuth(state, method, path, parsed.searchParams, req, rawBody);
    if (oauthResponse) {
      send(res, record, oauthResponse, {});
      return;
    }

    const authorization = req.headers.authorization ?? '';
    const token = authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length).trim() : '';
    const portal = token ? state.portalForToken(token) : null;
    if (portal === 'expired') {
      send(res, record, expiredAuthentication(), {});
      return;
    }
    if (!portal) {
      send(res, record, invalidAuthentication(), {});
      return;
    }
    record.portalId = portal.portalId;
    record.tokenKind = portal.token === token ? 'private-app' : 'oauth';

    let body: unknown = undefined;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody);
      } catch (error) {
        send(res, record, validationError(`Invalid input JSON on line 1: ${(error as Error).message}`), {});
        return;
      }
    }
    record.body = body;

    const at = Date.now();
    const remaining = burst ? burst.take(portal.portalId, at) : DAILY_LIMIT;
    const rateHeaders: Record<string, string> = {
      'X-HubSpot-Correlation-Id': randomUUID(),
      'X-HubSpot-RateLimit-Daily': String(DAILY_LIMIT),
      'X-HubSpot-RateLimit-Daily-Remaining': String(DAILY_LIMIT - requests.length),
      ...(burstSettings
        ? {
            'X-HubSpot-RateLimit-Max': String(burstSettings.max),
            'X-HubSpot-RateLimit-Remaining': String(Math.max(0, remaining)),
            'X-HubSpot-RateLimit-Interval-Milliseconds': String(burstSettings.intervalMs),
          }
        : {}),
    };
    if (remaining < 0) {
      send(res, record, rateLimited('TEN_SECONDLY_ROLLING', portal.portalId), rateHeaders);
      return;
    }
    if (search && method === 'POST' && path.endsWith('/search') && search.take(portal.portalId, at) < 0) {
      send(res, record, rateLimited('SECONDLY', portal.portalId), rateHeaders);
      return;
    }

    const fault = takeFault(method, path, rawBody);
    if (fault?.delayMs) await wait(fault.delayMs);
    const faultResponse = (): FakeResponse | null => {
      if (!fault?.status) return null;
      const base =
        fault.status === 429
          ? rateLimited(fault.policyName ?? 'TEN_SECONDLY_ROLLING', portal.portalId)
          : serverError(fault.status);
      const headers =
        fault.status === 429
          ? { ...rateHeaders, 'X-HubSpot-RateLimit-Remaining': '0', ...fault.headers }
          : fault.headers;
      return {
        ...base,
        ...(fault.body === undefined ? {} : { body: fault.body, contentType: undefined }),
        ...(headers ? { headers } : {}),
      };
    };

    if (fault && !fault.afterResponse) {
      const failure = faultResponse();
      if (failure) {
        send(res, record, failure, rateHeaders);
        return;
      }
    }

    const response = handleRoute({
      state,
      portal,
      method,
      path,
      query: parsed.searchParams,
      body,
      baseUrl: url,
    });

    if (fault?.afterResponse) {
      const failure = faultResponse();
      if (failure) send(res, record, failure, rateHeaders);
      // No status: the work is done and the answer is never sent, like a response lost in transit.
      return;
    }
    send(res, record, response, rateHeaders);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json;charset=utf-8' });
        res.end(
          JSON.stringify({
            status: 'error',
            message: `local HubSpot failed: ${String(error)}`,
            correlationId: randomUUID(),
          }),
        );
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  url = `http://127.0.0.1:${address.port}`;

  return {
    url,
    state,
    requests,
    inject(fault) {
      faults.push({ ...fault, remaining: fault.times ?? 1, skipping: fault.skip ?? 0 });
    },
    clearFaults() {
      faults = [];
    },
    close() {
      return new Promise<void>((resolve) => {
        // Hanging answers (afterResponse without status) keep sockets open: cut them so close() returns.
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
