/**
 * The one way the card and the app pages call the SOP Guide service through `hubspot.fetch`: what a
 * non-2xx answer means behind HubSpot's proxy, and which message to show. Each component passes its own
 * `hubspot.fetch` in (it throws outside HubSpot; tests pass a fake).
 */
import { errorBodySchema } from './exception.schema';

/**
 * The backend's https origin. It is a placeholder: replace it with your deployment's origin here, in
 * app-hsmeta.json `permittedUrls.fetch` (HubSpot refuses any other origin) and in webhooks-hsmeta.json
 * `targetUrl`; test/hubspot-project keeps them equal. Locally, `extensions/app/local.json` proxies it
 * to http://localhost:3000.
 */
export const BACKEND_ORIGIN = 'https://sop-guide.example.com';

export interface FetchResponse {
  ok: boolean;
  status: number;
  text(): Promise<string>;
}

export type BackendMethod = 'GET' | 'POST' | 'PUT';

/** The shape of `hubspot.fetch`, narrowed to what the components use. */
export type HubSpotFetch = (
  url: string,
  options?: { method?: BackendMethod; body?: Record<string, unknown> },
) => Promise<FetchResponse>;

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

/** Calls the service at `path` and returns its JSON answer, unparsed: the caller owns the schema. */
export async function requestJson(
  fetchFromHubSpot: HubSpotFetch,
  method: BackendMethod,
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

/** Builds `?a=1&b=2` from the values given, leaving out empty ones. */
export function queryString(params: Record<string, string | number | undefined>): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  return parts.length ? `?${parts.join('&')}` : '';
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
