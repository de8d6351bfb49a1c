import type { z } from 'zod';
import { chunk, HUBSPOT_BATCH_LIMIT, idsInErrors } from './hubspot-batch.util';
import {
  batchObjectsSchema,
  listPageSchema,
  searchPageSchema,
  type crmObjectSchema,
} from './hubspot-responses.schema';
import { parseResponse, type HubSpotTransport } from './hubspot-transport';

export interface PropertyHistoryEntry {
  value: string;
  timestamp: Date;
  sourceType: string;
}

export interface HubSpotDeal {
  id: string;
  /** HubSpot property values as strings; a requested property with no value is null. */
  properties: Record<string, string | null>;
  propertiesWithHistory: Record<string, PropertyHistoryEntry[]>;
  createdAt: Date;
  updatedAt: Date;
}

export interface BatchReadDealsResult {
  deals: HubSpotDeal[];
  /** Ids HubSpot does not know (deleted, merged or never existed). */
  missingIds: string[];
}

export interface DealUpdate {
  id: string;
  properties: Record<string, string | null>;
}

export interface BatchUpdateDealsResult {
  updatedIds: string[];
  missingIds: string[];
}

/** Deal records: read and written in batches of 100, listed a page at a time. */
export interface DealsApi {
  batchRead(
    portalId: number,
    dealIds: readonly string[],
    properties: readonly string[],
    options?: { propertiesWithHistory?: readonly string[] },
  ): Promise<BatchReadDealsResult>;
  /** Every deal id of the portal, a page (up to 100) at a time: what backfill walks. */
  pageIds(portalId: number): AsyncIterable<string[]>;
  /** How many deals the portal has: one search request (the list pageIds walks gives no total). */
  count(portalId: number): Promise<number>;
  batchUpdate(portalId: number, updates: readonly DealUpdate[]): Promise<BatchUpdateDealsResult>;
}

export function createDealsApi(transport: HubSpotTransport): DealsApi {
  return {
    async batchRead(portalId, dealIds, properties, readOptions = {}) {
      const operation = 'batchReadDeals';
      const ids = [...new Set(dealIds)];
      const deals: HubSpotDeal[] = [];
      const missing = new Set<string>();
      for (const ids100 of chunk(ids, HUBSPOT_BATCH_LIMIT)) {
        const { data } = await transport.call(portalId, operation, { idempotent: true }, (apis) =>
          apis.dealsBatch.readWithHttpInfo(
            {
              inputs: ids100.map((id) => ({ id })),
              properties: [...properties],
              propertiesWithHistory: [...(readOptions.propertiesWithHistory ?? [])],
            },
            false,
          ),
        );
        const parsed = parseResponse(batchObjectsSchema, data, operation, portalId);
        const returned = new Set(parsed.results.map((r) => r.id));
        deals.push(...parsed.results.map(toDeal));
        for (const id of [...idsInErrors(parsed.errors), ...ids100.filter((id) => !returned.has(id))])
          missing.add(id);
      }
      return { deals, missingIds: [...missing] };
    },

    async *pageIds(portalId) {
      const operation = 'pageDealIds';
      let after: string | undefined;
      do {
        const { data } = await transport.call(portalId, operation, { idempotent: true }, (apis) =>
          apis.dealsBasic.getPageWithHttpInfo(
            HUBSPOT_BATCH_LIMIT,
            after,
            ['hs_object_id'],
            undefined,
            undefined,
            false,
          ),
        );
        const page = parseResponse(listPageSchema, data, operation, portalId);
        if (page.results.length > 0) yield page.results.map((deal) => deal.id);
        after = page.paging?.next?.after;
      } while (after);
    },

    async count(portalId) {
      const operation = 'countDeals';
      const { data } = await transport.call(portalId, operation, { idempotent: true, search: true }, (apis) =>
        apis.dealsSearch.doSearchWithHttpInfo({ filterGroups: [], properties: ['hs_object_id'], limit: 1 }),
      );
      return parseResponse(searchPageSchema, data, operation, portalId).total;
    },

    async batchUpdate(portalId, updates) {
      const operation = 'batchUpdateDeals';
      const updatedIds: string[] = [];
      const missing = new Set<string>();
      for (const batch of chunk(updates, HUBSPOT_BATCH_LIMIT)) {
        const { data } = await transport.call(portalId, operation, { idempotent: true }, (apis) =>
          apis.dealsBatch.updateWithHttpInfo({
            inputs: batch.map((u) => ({ id: u.id, properties: toWritableProperties(u.properties) })),
          }),
        );
        const parsed = parseResponse(batchObjectsSchema, data, operation, portalId);
        updatedIds.push(...parsed.results.map((r) => r.id));
        for (const id of idsInErrors(parsed.errors)) missing.add(id);
      }
      return { updatedIds, missingIds: [...missing] };
    },
  };
}

function toDeal(object: z.infer<typeof crmObjectSchema>): HubSpotDeal {
  return {
    id: object.id,
    properties: object.properties,
    propertiesWithHistory: object.propertiesWithHistory ?? {},
    createdAt: object.createdAt,
    updatedAt: object.updatedAt,
  };
}

/** HubSpot clears a property with an empty string; null is how the app says "clear". */
function toWritableProperties(properties: Record<string, string | null>): Record<string, string> {
  return Object.fromEntries(Object.entries(properties).map(([name, value]) => [name, value ?? '']));
}
