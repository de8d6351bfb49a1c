import {
  findStageEntryInHistory,
  listAssociationTypesReadByPlaybook,
  listPropertiesReadByPlaybook,
  parseHubSpotDate,
  selectVersionInForce,
} from '../../domain';
import type { DealSnapshot, PropertyHistoryValue } from '../../domain';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { HubSpotDeal } from '../../platform/hubspot/deals.api';
import type { PlaybookService } from '../playbooks';
import { runRebuildableWrites, type Store } from '../../platform/db';
import type { DealRecord } from './deal.repository';

/**
 * Events are hints, HubSpot is the truth (STYLE.md principle 7): the projection is written from what a
 * deals batch read returns, never from an event's payload alone. One read serves up to 100 deals.
 */
export const DEAL_BASE_PROPERTIES = [
  'dealname',
  'pipeline',
  'dealstage',
  'hubspot_owner_id',
  'createdate',
  'hs_lastmodifieddate',
  'hs_v2_date_entered_current_stage',
  'notes_last_updated',
  'hs_last_sales_activity_timestamp',
  'notes_next_activity_date',
  // The insights' demand view (expected close month, amount weighted by the stage's probability).
  'amount',
  'closedate',
] as const;

/**
 * Read with its history in the same batch call (no extra request): the history dates the move into the
 * current stage when the timing properties are missing, and names the stage a never-seen deal left.
 */
const HISTORY_PROPERTIES = ['dealstage'] as const;

/** Timing and bookkeeping properties live in their own columns; only what checks read goes in `properties`. */
const COLUMN_PROPERTIES = new Set<string>([
  'pipeline',
  'dealstage',
  'hubspot_owner_id',
  'hs_lastmodifieddate',
  'hs_v2_date_entered_current_stage',
  'notes_last_updated',
  'hs_last_sales_activity_timestamp',
  'notes_next_activity_date',
]);

export interface DealSyncResult {
  deals: DealRecord[];
  /** Ids HubSpot does not know (deleted or merged). */
  missingIds: string[];
  /** Each deal HubSpot returned: its dealstage history, newest first. */
  stageHistories: Map<string, PropertyHistoryValue[]>;
}

export interface DealSyncService {
  /** Reads the deals from HubSpot (batched) and writes them into the projection. */
  syncDeals(portalId: number, dealIds: readonly string[], now: Date): Promise<DealSyncResult>;
  /** The properties a deals read asks for under the portal's current playbook. */
  propertiesToRead(portalId: number): Promise<string[]>;
}

export function createDealSyncService(deps: {
  store: Store;
  hubspot: Pick<HubSpotApis, 'deals' | 'associations'>;
  playbooks: PlaybookService;
}): DealSyncService {
  const { store, hubspot, playbooks } = deps;

  const readPlan = async (portalId: number) => {
    const { playbook } = await playbooks.current(portalId);
    const checkedProperties = listPropertiesReadByPlaybook(playbook);
    return {
      properties: [...new Set([...DEAL_BASE_PROPERTIES, ...checkedProperties])].sort(),
      checkedProperties: new Set(checkedProperties),
      associationTypes: listAssociationTypesReadByPlaybook(playbook),
    };
  };

  return {
    propertiesToRead: async (portalId) => (await readPlan(portalId)).properties,

    async syncDeals(portalId, dealIds, now) {
      const ids = [...new Set(dealIds)];
      if (ids.length === 0) return { deals: [], missingIds: [], stageHistories: new Map() };
      const plan = await readPlan(portalId);
      const read = await hubspot.deals.batchRead(portalId, ids, plan.properties, {
        propertiesWithHistory: HISTORY_PROPERTIES,
      });
      // One small query a batch: each deal is pinned by its own stage entry, not by what is current now.
      const versions = await store.playbooks.listPublishTimes(portalId);
      const foundIds = read.deals.map((deal) => deal.id);
      const counts = new Map<string, Map<string, number>>();
      for (const type of plan.associationTypes) {
        counts.set(
          type,
          foundIds.length ? await hubspot.associations.countForDeals(portalId, foundIds, type) : new Map(),
        );
      }
      const entries = read.deals.flatMap((hubspotDeal) => {
        const associations = Object.fromEntries(
          plan.associationTypes.map((type) => [type, counts.get(type)?.get(hubspotDeal.id) ?? 0]),
        );
        const snapshot = toDealSnapshot(portalId, hubspotDeal, associations, now, plan.checkedProperties);
        return snapshot
          ? [{ snapshot, playbookVersion: selectVersionInForce(versions, snapshot.stageEnteredAt) }]
          : [];
      });
      // HubSpot's truth, read again if a power cut loses it: its commit need not wait for the disk.
      const written = await runRebuildableWrites(() =>
        store.deals.upsertDealsFromHubSpot(entries, { observedAt: now, now }),
      );
      const deals = written.flatMap((result): DealRecord[] => (result.deal ? [result.deal] : []));
      const stageHistories = new Map(
        read.deals.map((deal) => [deal.id, deal.propertiesWithHistory.dealstage ?? []]),
      );
      return { deals, missingIds: read.missingIds, stageHistories };
    },
  };
}

/** HubSpot's deal, as the domain sees it. Null when HubSpot returned a deal without a stage. */
export function toDealSnapshot(
  portalId: number,
  deal: HubSpotDeal,
  associations: Record<string, number>,
  now: Date,
  /** Properties the playbook's checks read: kept in `properties` even when they also have a column. */
  checkedProperties: ReadonlySet<string> = new Set(),
): DealSnapshot | null {
  const props = deal.properties;
  const stageId = props.dealstage;
  if (!stageId) return null;
  const date = (name: string) => {
    const value = props[name];
    return value ? parseHubSpotDate(value) : null;
  };
  const lastActivity = [date('notes_last_updated'), date('hs_last_sales_activity_timestamp')]
    .filter((value): value is Date => value !== null)
    .sort((a, b) => b.getTime() - a.getTime())[0];
  return {
    portalId,
    dealId: deal.id,
    pipelineId: props.pipeline || 'default',
    stageId,
    // HubSpot's clock first: pinning follows this time, so the moment of the read is the last resort.
    stageEnteredAt:
      date('hs_v2_date_entered_current_stage') ??
      date(`hs_v2_date_entered_${stageId}`) ??
      findStageEntryInHistory(deal.propertiesWithHistory.dealstage ?? [], stageId) ??
      deal.createdAt ??
      now,
    ownerId: props.hubspot_owner_id || null,
    properties: Object.fromEntries(
      Object.entries(props).filter(([name]) => checkedProperties.has(name) || !COLUMN_PROPERTIES.has(name)),
    ),
    associations,
    lastActivityAt: lastActivity ?? null,
    nextActivityAt: date('notes_next_activity_date'),
  };
}
