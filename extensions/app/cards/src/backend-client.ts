/**
 * The card's only door to the SOP Guide service. It wraps `hubspot.fetch` (which throws outside HubSpot),
 * so tests hand the card a fake `BackendClient` instead of this one; nothing else in the card does I/O.
 * It returns raw JSON: the card parses it with the shared schema, so a malformed answer is the card's
 * concern, shown as an error state, and this module stays a thin transport over the shared
 * `requestJson` (the app pages call the service the same way).
 */
import { requestJson, type HubSpotFetch } from '@sop-guide/api-contract';
import type {
  ExceptionDecisionBody,
  ExceptionJustificationBody,
  SnoozeBody,
} from './guidance-response.schema';

export { BACKEND_ORIGIN, BackendError } from '@sop-guide/api-contract';
export type { FetchResponse, HubSpotFetch } from '@sop-guide/api-contract';

export interface BackendClient {
  getGuidance(dealId: string): Promise<unknown>;
  setActionDone(dealId: string, actionId: string, done: boolean, note?: string): Promise<unknown>;
  snoozeStall(dealId: string, snooze: SnoozeBody): Promise<unknown>;
  justifyException(exceptionId: string, body: ExceptionJustificationBody): Promise<unknown>;
  decideException(exceptionId: string, body: ExceptionDecisionBody): Promise<unknown>;
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
