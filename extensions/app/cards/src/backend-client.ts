/**
 * The card's only door to the SOP Guide service. It wraps `hubspot.fetch` (which throws outside HubSpot),
 * so tests hand the card a fake `BackendClient` instead of this one; nothing else in the card does I/O.
 * It returns raw JSON: the card parses it with the shared schema, so a malformed answer is the card's
 * concern, shown as an error state, and this module stays a thin transport.
 */
import type { HubSpotFetchOptions } from '@hubspot/ui-extensions';
import type {
  ExceptionDecisionBody,
  ExceptionJustificationBody,
  SnoozeBody,
} from './guidance-response.schema';
import { errorBodySchema } from './guidance-response.schema';

/**
 * The backend's https origin. It is a placeholder: replace it with your deployment's origin here, in
 * app-hsmeta.json `permittedUrls.fetch` (HubSpot refuses any other origin) and in webhooks-hsmeta.json
 * `targetUrl`; test/hubspot-project keeps the three equal. Locally, `extensions/app/local.json` proxies it
 * to http://localhost:3000.
 */
export const BACKEND_ORIGIN = 'https://sop-guide.example.com';

/** The shape of `hubspot.fetch`, narrowed to what this module uses. */
export type HubSpotFetch = (url: string, options?: HubSpotFetchOptions) => Promise<FetchResponse>;

export interface FetchResponse {
  ok: boolean;
  status: number;
  text(): Promise<string>;
}

export interface BackendClient {
  getGuidance(dealId: string): Promise<unknown>;
  setActionDone(dealId: string, actionId: string, done: boolean, note?: string): Promise<unknown>;
  snoozeStall(dealId: string, snooze: SnoozeBody): Promise<unknown>;
  justifyException(exceptionId: string, body: ExceptionJustificationBody): Promise<unknown>;
  decideException(exceptionId: string, body: ExceptionDecisionBody): Promise<unknown>;
}

/** A failed backend call, carrying the message the backend gave (or a plain one when it gave none). */
export class BackendError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}

export function createBackendClient(fetchFromHubSpot: HubSpotFetch): BackendClient {
  const dealPath = (dealId: string) => `/api/v1/deals/${encodeURIComponent(dealId)}`;

  return {
    getGuidance: (dealId) => requestJson(fetchFromHubSpot, 'GET', `${dealPath(dealId)}/guidance`),
    setActionDone: (dealId, actionId, done, note) =>
      requestJson(
        fetchFromHubSpot,
        'POST',
        `${dealPath(dealId)}/actions/${encodeURIComponent(actionId)}`,
        note === undefined ? { done } : { done, note },
      ),
    snoozeStall: (dealId, snooze) =>
      requestJson(fetchFromHubSpot, 'POST', `${dealPath(dealId)}/snooze`, { ...snooze }),
    justifyException: (exceptionId, body) =>
      requestJson(
        fetchFromHubSpot,
        'POST',
        `/api/v1/exceptions/${encodeURIComponent(exceptionId)}/justification`,
        { ...body },
      ),
    decideException: (exceptionId, body) =>
      requestJson(
        fetchFromHubSpot,
        'POST',
        `/api/v1/exceptions/${encodeURIComponent(exceptionId)}/decision`,
        { ...body },
      ),
  };
}

async function requestJson(
  fetchFromHubSpot: HubSpotFetch,
  method: 'GET' | 'POST',
  path: string,
  body?: Record<string, unknown>,
): Promise<unknown> {
  let response: FetchResponse;
  try {
    response = await fetchFromHubSpot(`${BACKEND_ORIGIN}${path}`, body ? { method, body } : { method });
  } catch {
    // hubspot.fetch rejects on timeouts and refused origins, with messages meant for developers.
    throw new BackendError('The SOP Guide service could not be reached. Try again in a moment.', null, null);
  }

  const text = await response.text().catch(() => '');
  // HubSpot's proxy follows no redirects and turns any backend status >= 300 into a 502, so anything
  // but a 2xx is an error, whatever its body says.
  if (!response.ok) {
    const reported = findReportedError(parseJson(text));
    throw new BackendError(
      reported?.message ?? `The SOP Guide service answered with status ${response.status}.`,
      response.status,
      reported?.code ?? null,
    );
  }
  const json = parseJson(text);
  if (json === undefined) {
    throw new BackendError('The SOP Guide service sent an answer that is not JSON.', response.status, null);
  }
  return json;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const MAX_PROXY_WRAPPING = 2;

/**
 * The backend's `{error: {code, message}}`, found either directly or inside the `responseBody` that
 * HubSpot's proxy passes along in its 502 (as a JSON string or already parsed). HubSpot's own top-level
 * `message` is the fallback: better than a bare status for timeouts and proxy failures.
 */
function findReportedError(body: unknown, depth = 0): { code: string | null; message: string } | null {
  const parsed = errorBodySchema.safeParse(body);
  if (parsed.success) {
    return { code: parsed.data.error.code, message: parsed.data.error.message };
  }
  if (typeof body !== 'object' || body === null) {
    return null;
  }
  const record = body as Record<string, unknown>;
  if ('responseBody' in record && depth < MAX_PROXY_WRAPPING) {
    const inner =
      typeof record.responseBody === 'string' ? parseJson(record.responseBody) : record.responseBody;
    const found = findReportedError(inner, depth + 1);
    if (found) {
      return found;
    }
  }
  return typeof record.message === 'string' && record.message.length > 0
    ? { code: null, message: record.message }
    : null;
}
