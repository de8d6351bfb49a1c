import type { LocalHubSpot } from '../../sandbox/local-hubspot';

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

/** RFC 4180 reader, for checking the export the way a spreadsheet would read it. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else if (char !== '\r') {
      cell += char;
    }
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}
