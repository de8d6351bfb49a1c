import {
  AssociationSpecAssociationCategoryEnum,
  FilterOperatorEnum,
} from '@hubspot/api-client/lib/codegen/crm/objects/notes';
import { chunk, HUBSPOT_BATCH_LIMIT } from './hubspot-batch.util';
import { batchObjectsSchema, searchPageSchema } from './hubspot-responses.schema';
import { parseResponse, type HubSpotTransport } from './hubspot-transport';

/** HubSpot's note-to-deal association (HUBSPOT_DEFINED). */
export const NOTE_TO_DEAL_ASSOCIATION_TYPE_ID = 214;
const SEARCH_PAGE_SIZE = 100;
const MARKER_TOKEN = /^[A-Za-z0-9]+$/;

/** A note on a deal's timeline (HubSpot's notes engagement, associated with the deal). */
export interface NewDealNote {
  /** Ours, unique in the call: ties HubSpot's answer to the note (its objectWriteTraceId). */
  key: string;
  dealId: string;
  /** HubSpot's rich text (HTML). Put a marker token in it so a lost create can be found. */
  body: string;
  /** When the note belongs on the timeline. */
  at: Date;
}

/** Notes on deals' timelines: what exceptions leave in a deal's history. */
export interface NotesApi {
  /**
   * Adds notes to their deals' timelines, up to 100 a HubSpot call (its budget is 100 calls per 10 s,
   * shared with the deal reads); returns each created note's id by key. A note HubSpot reports as failed
   * (a 207) has no id. Not retried after an ambiguous failure: the caller looks notes up with findByMarker.
   */
  createForDeals(portalId: number, notes: readonly NewDealNote[]): Promise<Map<string, string>>;
  /** Ids of the notes whose body contains the marker token (HubSpot's search lags writes a few seconds). */
  findByMarker(portalId: number, marker: string): Promise<string[]>;
}

export function createNotesApi(transport: HubSpotTransport): NotesApi {
  return {
    async createForDeals(portalId, notes) {
      const operation = 'createDealNotes';
      const created = new Map<string, string>();
      for (const batch of chunk(notes, HUBSPOT_BATCH_LIMIT)) {
        const { data } = await transport.call(portalId, operation, { idempotent: false }, (apis) =>
          apis.notesBatch.createWithHttpInfo({
            inputs: batch.map((note) => ({
              objectWriteTraceId: note.key,
              properties: { hs_timestamp: note.at.toISOString(), hs_note_body: note.body },
              associations: [
                {
                  to: { id: note.dealId },
                  types: [
                    {
                      associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined,
                      associationTypeId: NOTE_TO_DEAL_ASSOCIATION_TYPE_ID,
                    },
                  ],
                },
              ],
            })),
          }),
        );
        // HubSpot does not promise result order; objectWriteTraceId ties each result to its note.
        for (const result of parseResponse(batchObjectsSchema, data, operation, portalId).results) {
          if (result.objectWriteTraceId !== undefined) created.set(result.objectWriteTraceId, result.id);
        }
      }
      return created;
    },

    async findByMarker(portalId, marker) {
      const operation = 'findNotesByMarker';
      if (!MARKER_TOKEN.test(marker)) {
        throw new Error('A note marker must be a single token of letters and digits');
      }
      const { data } = await transport.call(portalId, operation, { idempotent: true, search: true }, (apis) =>
        apis.notesSearch.doSearchWithHttpInfo({
          filterGroups: [
            {
              filters: [
                { propertyName: 'hs_note_body', operator: FilterOperatorEnum.ContainsToken, value: marker },
              ],
            },
          ],
          properties: ['hs_note_body'],
          limit: SEARCH_PAGE_SIZE,
        }),
      );
      return parseResponse(searchPageSchema, data, operation, portalId).results.map((result) => result.id);
    },
  };
}
