/**
 * The settings page's only door to the SOP Guide service, wrapping `hubspot.fetch` (which throws
 * outside HubSpot) so that tests hand the page a fake instead. It is a sibling of the card's
 * backend-client rather than an import of it: each component folder is built from its own package.
 *
 * The client only transports: answers come back as unparsed JSON (the page parses them with
 * playbook-api.schema), and a refused request becomes a PlaybookApiError carrying the server's code,
 * message and path-named issues, so the page can put each issue next to its field.
 */
import type { HubSpotFetchOptions } from '@hubspot/ui-extensions';
import type { PlaybookIssue } from './playbook-api.schema';

/** Same placeholder origin as the card's backend-client and app-hsmeta.json (a test keeps them equal). */
export const BACKEND_ORIGIN = 'https://sop-guide.example.com';

export type HubSpotFetch = (url: string, options?: HubSpotFetchOptions) => Promise<FetchResponse>;

export interface FetchResponse {
  ok: boolean;
  status: number;
  text(): Promise<string>;
}

export interface PublishOptions {
  note?: string;
  applyToDealsInProgress?: boolean;
}

export interface PlaybookClient {
  getPlaybook(): Promise<unknown>;
  /** PUT /api/v1/playbook: the document with the publish options as top-level fields. */
  publishPlaybook(document: Record<string, unknown>, options: PublishOptions): Promise<unknown>;
  previewPlaybook(document: Record<string, unknown>): Promise<unknown>;
  /** POST /api/v1/playbook/enforcement-preview?days=: what each mode would have done with recent moves. */
  previewEnforcement(document: Record<string, unknown>, days: number): Promise<unknown>;
  listVersions(): Promise<unknown>;
  restoreVersion(version: number, options: PublishOptions): Promise<unknown>;
}

/** A request the service refused, with what it said. `issues` are the rejected playbook's errors. */
export class PlaybookApiError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
    readonly issues: PlaybookIssue[] = [],
  ) {
    super(message);
    this.name = 'PlaybookApiError';
  }
}

export function createPlaybookClient(fetchFromHubSpot: HubSpotFetch): PlaybookClient {
  const request = async (
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: Record<string, unknown>,
  ): Promise<unknown> => {
    let response: FetchResponse;
    try {
      response = await fetchFromHubSpot(`${BACKEND_ORIGIN}${path}`, body ? { method, body } : { method });
    } catch {
      throw new PlaybookApiError('The SOP Guide service could not be reached. Try again in a moment.', null);
    }
    const text = await response.text().catch(() => '');
    // HubSpot's proxy turns any backend status >= 300 into a 502 carrying the backend's body.
    if (!response.ok) {
      const reported = findReportedError(parseJson(text));
      throw new PlaybookApiError(
        reported?.message ?? `The SOP Guide service answered with status ${response.status}.`,
        reported?.code ?? null,
        reported?.issues ?? [],
      );
    }
    const json = parseJson(text);
    if (json === undefined) {
      throw new PlaybookApiError('The SOP Guide service sent an answer that is not JSON.', null);
    }
    return json;
  };

  return {
    getPlaybook: () => request('GET', '/api/v1/playbook'),
    publishPlaybook: (document, options) => request('PUT', '/api/v1/playbook', { ...document, ...options }),
    previewPlaybook: (document) => request('POST', '/api/v1/playbook/preview', document),
    previewEnforcement: (document, days) =>
      request('POST', `/api/v1/playbook/enforcement-preview?days=${days}`, document),
    listVersions: () => request('GET', '/api/v1/playbook/versions'),
    restoreVersion: (version, options) =>
      request('POST', `/api/v1/playbook/versions/${version}/restore`, { ...options }),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

interface ReportedError {
  code: string | null;
  message: string;
  issues: PlaybookIssue[];
}

/** The backend's `error`, directly or inside the proxy's `responseBody` (a string or an object). */
function findReportedError(body: unknown, depth = 0): ReportedError | null {
  if (typeof body !== 'object' || body === null) return null;
  const record = body as Record<string, unknown>;
  const error = record.error as Record<string, unknown> | undefined;
  if (typeof error === 'object' && error !== null && typeof error.message === 'string') {
    return {
      code: typeof error.code === 'string' ? error.code : null,
      message: error.message,
      issues: readIssues(error.details),
    };
  }
  if ('responseBody' in record && depth < 2) {
    const inner =
      typeof record.responseBody === 'string' ? parseJson(record.responseBody) : record.responseBody;
    return findReportedError(inner, depth + 1);
  }
  return null;
}

function readIssues(details: unknown): PlaybookIssue[] {
  if (typeof details !== 'object' || details === null) return [];
  const errors = (details as Record<string, unknown>).errors;
  if (!Array.isArray(errors)) return [];
  return errors.filter(
    (issue): issue is PlaybookIssue =>
      typeof issue === 'object' &&
      issue !== null &&
      typeof (issue as Record<string, unknown>).path === 'string' &&
      typeof (issue as Record<string, unknown>).message === 'string',
  );
}
