import { accountDetailsSchema } from './hubspot-responses.schema';
import { parseResponse, requestJson, type HubSpotTransport } from './hubspot-transport';

export interface AccountDetails {
  portalId: number;
  timeZone: string;
  companyCurrency: string;
  uiDomain: string;
  dataHostingLocation: string;
  accountType: string;
  utcOffsetMilliseconds: number | null;
}

/** The portal a token belongs to: what static auth learns its installation from (DESIGN.md §3). */
export interface AccountApi {
  getDetails(portalId: number): Promise<AccountDetails>;
}

export function createAccountApi(transport: HubSpotTransport): AccountApi {
  return {
    async getDetails(portalId) {
      const operation = 'getAccountDetails';
      // The SDK has no typed API for account-info; apiRequest goes through the same Client and token.
      const { data } = await transport.call(portalId, operation, { idempotent: true }, (apis) =>
        requestJson(apis.client, { method: 'GET', path: '/account-info/v3/details' }),
      );
      const parsed = parseResponse(accountDetailsSchema, data, operation, portalId);
      return {
        portalId: parsed.portalId,
        timeZone: parsed.timeZone,
        companyCurrency: parsed.companyCurrency,
        uiDomain: parsed.uiDomain,
        dataHostingLocation: parsed.dataHostingLocation,
        accountType: parsed.accountType,
        utcOffsetMilliseconds: parsed.utcOffsetMilliseconds ?? null,
      };
    },
  };
}
