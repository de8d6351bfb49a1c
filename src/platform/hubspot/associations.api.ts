import { chunk } from './hubspot-batch.util';
import { associationsBatchSchema } from './hubspot-responses.schema';
import { parseResponse, type HubSpotTransport } from './hubspot-transport';

/** The v4 associations batch read takes more inputs a call than the CRM object batches. */
const ASSOCIATIONS_BATCH_READ_LIMIT = 1000;

/** What deals are associated with (contacts, companies...), as the checks need it. */
export interface AssociationsApi {
  /** Number of associated records per deal (0 when none), e.g. contacts per deal. */
  countForDeals(
    portalId: number,
    dealIds: readonly string[],
    toObjectType: string,
  ): Promise<Map<string, number>>;
}

export function createAssociationsApi(transport: HubSpotTransport): AssociationsApi {
  return {
    async countForDeals(portalId, dealIds, toObjectType) {
      const operation = 'readAssociationCounts';
      const counts = new Map<string, number>(dealIds.map((id) => [id, 0]));
      const seen = new Map<string, Set<string>>();
      let pending: Array<{ id: string; after?: string }> = [...new Set(dealIds)].map((id) => ({ id }));
      while (pending.length > 0) {
        const next: typeof pending = [];
        for (const inputs of chunk(pending, ASSOCIATIONS_BATCH_READ_LIMIT)) {
          const { data } = await transport.call(portalId, operation, { idempotent: true }, (apis) =>
            apis.associationsBatch.getPageWithHttpInfo('deals', toObjectType, { inputs }),
          );
          // Deals without any association come back in errors[] (NO_ASSOCIATIONS_FOUND): they count 0.
          const parsed = parseResponse(associationsBatchSchema, data, operation, portalId);
          for (const result of parsed.results) {
            const ids = seen.get(result._from.id) ?? new Set<string>();
            for (const to of result.to) ids.add(to.toObjectId);
            seen.set(result._from.id, ids);
            counts.set(result._from.id, ids.size);
            const after = result.paging?.next?.after;
            if (after) next.push({ id: result._from.id, after });
          }
        }
        pending = next;
      }
      return counts;
    },
  };
}
