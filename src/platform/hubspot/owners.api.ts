import { ownersPageSchema } from './hubspot-responses.schema';
import { parseResponse, type HubSpotTransport } from './hubspot-transport';

export interface HubSpotOwner {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  /** The HubSpot user behind the owner (a different number from the owner id). */
  userId: string | null;
  teams: Array<{ id: string; name: string; primary: boolean }>;
}

/** CRM owners (crm/v3/owners): who a deal or task belongs to, and their teams. */
export interface OwnersApi {
  list(portalId: number): Promise<HubSpotOwner[]>;
}

const OWNERS_PAGE_SIZE = 500;

export function createOwnersApi(transport: HubSpotTransport): OwnersApi {
  return {
    async list(portalId) {
      const operation = 'listOwners';
      const owners: HubSpotOwner[] = [];
      let after: string | undefined;
      do {
        const { data } = await transport.call(portalId, operation, { idempotent: true }, (apis) =>
          apis.owners.getPageWithHttpInfo(undefined, after, OWNERS_PAGE_SIZE, false),
        );
        const page = parseResponse(ownersPageSchema, data, operation, portalId);
        owners.push(
          ...page.results.map((o) => ({
            id: o.id,
            email: o.email ?? null,
            firstName: o.firstName ?? null,
            lastName: o.lastName ?? null,
            userId: o.userId === undefined ? null : String(o.userId),
            teams: o.teams ?? [],
          })),
        );
        after = page.paging?.next?.after;
      } while (after);
      return owners;
    },
  };
}
