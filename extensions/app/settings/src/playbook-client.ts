/**
 * The settings page's only door to the SOP Guide service, wrapping `hubspot.fetch` (which throws
 * outside HubSpot) so that tests hand the page a fake instead. It is a sibling of the card's
 * backend-client rather than an import of it: each component folder is built from its own package.
 */
import type { HubSpotFetchOptions } from '@hubspot/ui-extensions';

/** Same placeholder origin as the card's backend-client and app-hsmeta.json (a test keeps them equal). */
export const BACKEND_ORIGIN = 'https://sop-guide.example.com';

export type HubSpotFetch = (url: string, options?: HubSpotFetchOptions) => Promise<FetchResponse>;

export interface FetchResponse {
  ok: boolean;
  status: number;
  text(): Promise<string>;
}

export interface PlaybookClient {
  getPlaybook(): Promise<unknown>;
}

export function createPlaybookClient(fetchFromHubSpot: HubSpotFetch): PlaybookClient {
  return {
    getPlaybook: async () => {
      let response: FetchResponse;
      try {
        response = await fetchFromHubSpot(`${BACKEND_ORIGIN}/api/v1/playbook`, { method: 'GET' });
      } catch {
        throw new Error('The SOP Guide service could not be reached. Try again in a moment.');
      }
      const text = await response.text().catch(() => '');
      // HubSpot's proxy turns any backend status >= 300 into a 502 carrying the backend's body.
      if (!response.ok) {
        throw new Error(
          findErrorMessage(parseJson(text)) ??
            `The SOP Guide service answered with status ${response.status}.`,
        );
      }
      const json = parseJson(text);
      if (json === undefined) {
        throw new Error('The SOP Guide service sent an answer that is not JSON.');
      }
      return json;
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `error.message` of the backend's error body, directly or inside the proxy's `responseBody`. */
function findErrorMessage(body: unknown, depth = 0): string | null {
  if (typeof body !== 'object' || body === null) {
    return null;
  }
  const record = body as Record<string, unknown>;
  const error = record.error;
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as Record<string, unknown>).message === 'string'
  ) {
    return (error as Record<string, unknown>).message as string;
  }
  if ('responseBody' in record && depth < 2) {
    const inner =
      typeof record.responseBody === 'string' ? parseJson(record.responseBody) : record.responseBody;
    return findErrorMessage(inner, depth + 1);
  }
  return null;
}
