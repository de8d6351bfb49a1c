/**
 * The pages' only door to the SOP Guide service, wrapping `hubspot.fetch` (which throws outside
 * HubSpot) so that tests hand the pages a fake instead. A sibling of the card's and the settings page's
 * clients rather than an import: each component folder is built from its own package.
 * Every answer is parsed with the schema the server checks it with.
 */
import type { HubSpotFetchOptions } from '@hubspot/ui-extensions';
import {
  complianceResponseSchema,
  demandResponseSchema,
  outcomesResponseSchema,
  type ComplianceResponse,
  type DemandResponse,
  type OutcomesResponse,
} from './insights-response.schema';

/** Same placeholder origin as the card's backend-client and app-hsmeta.json (a test keeps them equal). */
export const BACKEND_ORIGIN = 'https://sop-guide.example.com';

export interface FetchResponse {
  ok: boolean;
  status: number;
  text(): Promise<string>;
}

export type HubSpotFetch = (url: string, options?: HubSpotFetchOptions) => Promise<FetchResponse>;

export interface InsightsFilter {
  pipelineId?: string;
  ownerId?: string;
}

export interface InsightsClient {
  getCompliance(filter: InsightsFilter): Promise<ComplianceResponse>;
  getOutcomes(filter: InsightsFilter & { from?: string; to?: string }): Promise<OutcomesResponse>;
  getDemand(filter: InsightsFilter & { months?: number }): Promise<DemandResponse>;
}

export class InsightsApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InsightsApiError';
  }
}

function queryString(params: Record<string, string | number | undefined>): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

function reportedMessage(text: string): string | null {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    return typeof body.error?.message === 'string' ? body.error.message : null;
  } catch {
    return null;
  }
}

export function createInsightsClient(fetchFromHubSpot: HubSpotFetch): InsightsClient {
  const get = async <T>(path: string, parse: (json: unknown) => T): Promise<T> => {
    let response: FetchResponse;
    try {
      response = await fetchFromHubSpot(`${BACKEND_ORIGIN}${path}`, { method: 'GET' });
    } catch {
      throw new InsightsApiError('The SOP Guide service could not be reached. Try again in a moment.');
    }
    const text = await response.text().catch(() => '');
    // HubSpot's proxy turns any backend status >= 300 into a 502 carrying the backend's body.
    if (!response.ok) {
      throw new InsightsApiError(
        reportedMessage(text) ?? `The SOP Guide service answered with status ${response.status}.`,
      );
    }
    try {
      return parse(JSON.parse(text));
    } catch {
      throw new InsightsApiError('The SOP Guide service sent an answer this page does not understand.');
    }
  };

  return {
    getCompliance: (filter) =>
      get(`/api/v1/insights/compliance${queryString({ ...filter })}`, (json) =>
        complianceResponseSchema.parse(json),
      ),
    getOutcomes: (filter) =>
      get(`/api/v1/insights/outcomes${queryString({ ...filter })}`, (json) =>
        outcomesResponseSchema.parse(json),
      ),
    getDemand: (filter) =>
      get(`/api/v1/insights/demand${queryString({ ...filter })}`, (json) => demandResponseSchema.parse(json)),
  };
}
