import type { LocalHubSpot } from '../hubspot-fake';

/** Requests the local HubSpot received, by method and path: what the write-back costs a portal. */
export function countHubSpotCalls(hubspot: LocalHubSpot, method: string, path: string | RegExp): number {
  return hubspot.requests.filter(
    (request) =>
      request.method === method &&
      (typeof path === 'string' ? request.path === path : path.test(request.path)),
  ).length;
}

export const DEALS_BATCH_UPDATE = '/crm/v3/objects/deals/batch/update';
export const DEAL_PROPERTY_CREATE = '/crm/v3/properties/deals';
export const DEAL_PROPERTY_GROUP_CREATE = '/crm/v3/properties/deals/groups';

export function minutesAfter(at: Date, minutes: number): Date {
  return new Date(at.getTime() + minutes * 60_000);
}

export function actionPath(dealId: string, actionId: string): string {
  return `/api/v1/deals/${dealId}/actions/${actionId}`;
}
