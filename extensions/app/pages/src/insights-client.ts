/**
 * The pages' only door to the SOP Guide service, over the `hubspot.fetch` the entry hands in (tests hand
 * a fake one). Every answer is parsed with the schema the server checks it with: the insights schemas of
 * this folder, the exceptions schemas of the shared `@sop-guide/api-contract` package.
 */
import {
  dealExceptionSchema,
  exceptionListResponseSchema,
  queryString,
  requestJson,
  type DealExceptionView,
  type EXCEPTION_STATUSES,
  type ExceptionDecisionBody,
  type ExceptionJustificationBody,
  type ExceptionListResponse,
  type HubSpotFetch,
} from '@sop-guide/api-contract';
import {
  capacityResponseSchema,
  complianceResponseSchema,
  demandResponseSchema,
  insightsFiltersResponseSchema,
  outcomesResponseSchema,
  type CapacityRequest,
  type CapacityResponse,
  type ComplianceResponse,
  type DemandResponse,
  type InsightsFiltersResponse,
  type OutcomesResponse,
} from './insights-response.schema';

export { BACKEND_ORIGIN, BackendError } from '@sop-guide/api-contract';
export type { HubSpotFetch } from '@sop-guide/api-contract';

export interface InsightsFilter {
  pipelineId?: string;
  ownerId?: string;
}

export interface ExceptionListQuery {
  status?: (typeof EXCEPTION_STATUSES)[number];
  cursor?: string;
}

export interface InsightsClient {
  getFilters(): Promise<InsightsFiltersResponse>;
  getCompliance(filter: InsightsFilter): Promise<ComplianceResponse>;
  getOutcomes(filter: InsightsFilter & { from?: string; to?: string }): Promise<OutcomesResponse>;
  getDemand(filter: InsightsFilter & { months?: number }): Promise<DemandResponse>;
  setCapacity(request: CapacityRequest): Promise<CapacityResponse>;
  listExceptions(query: ExceptionListQuery): Promise<ExceptionListResponse>;
  justifyException(exceptionId: string, body: ExceptionJustificationBody): Promise<DealExceptionView>;
  decideException(exceptionId: string, body: ExceptionDecisionBody): Promise<DealExceptionView>;
}

/** An answer this page cannot read is an error to show, never half a page. */
function parseWith<T>(parse: (json: unknown) => T) {
  return (json: unknown): T => {
    try {
      return parse(json);
    } catch {
      throw new Error('The SOP Guide service sent an answer this page does not understand.');
    }
  };
}

export function createInsightsClient(fetchFromHubSpot: HubSpotFetch): InsightsClient {
  const get = <T>(path: string, parse: (json: unknown) => T) =>
    requestJson(fetchFromHubSpot, 'GET', path).then(parseWith(parse));
  const exceptionPath = (id: string) => `/api/v1/exceptions/${encodeURIComponent(id)}`;

  return {
    getFilters: () => get('/api/v1/insights/filters', (json) => insightsFiltersResponseSchema.parse(json)),
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
    setCapacity: (request) =>
      requestJson(fetchFromHubSpot, 'PUT', '/api/v1/insights/capacity', { ...request }).then(
        parseWith((json) => capacityResponseSchema.parse(json)),
      ),
    listExceptions: (query) =>
      get(`/api/v1/exceptions${queryString({ ...query })}`, (json) =>
        exceptionListResponseSchema.parse(json),
      ),
    justifyException: (exceptionId, body) =>
      requestJson(fetchFromHubSpot, 'POST', `${exceptionPath(exceptionId)}/justification`, { ...body }).then(
        parseWith((json) => dealExceptionSchema.parse(json)),
      ),
    decideException: (exceptionId, body) =>
      requestJson(fetchFromHubSpot, 'POST', `${exceptionPath(exceptionId)}/decision`, { ...body }).then(
        parseWith((json) => dealExceptionSchema.parse(json)),
      ),
  };
}
