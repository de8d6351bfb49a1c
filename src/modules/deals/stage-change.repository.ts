import type { StageChangesTable } from '../../platform/db/database.types';
import { generateSortableId, toEpochMs, type StoreContext } from '../../platform/db/store-context';

/** Rows per insert statement: 10 parameters each, well below SQLite's bound-parameter limit. */
const STAGE_CHANGES_PER_INSERT = 200;

export interface StageChange {
  id: string;
  portalId: number;
  dealId: string;
  pipelineId: string | null;
  fromStage: string | null;
  toStage: string;
  occurredAt: Date;
  /** Where the change was learned: 'webhook', 'backfill', 'hubspot-read'... */
  source: string;
  dedupeKey: string | null;
  recordedAt: Date;
}

/** What a change says of the stage entry it began: the deal, the stage, and when. */
export type StageEntryChange = Pick<StageChange, 'dealId' | 'toStage' | 'occurredAt'>;

export interface RecordStageChangeInput {
  portalId: number;
  dealId: string;
  pipelineId?: string | null;
  fromStage: string | null;
  toStage: string;
  occurredAt: Date;
  source: string;
  /** The source event's dedupe key: the same event recorded twice leaves one row. */
  dedupeKey?: string | null;
}

export interface StageChangeRepository {
  /**
   * Records each change once per (portal, dedupe key), in one statement per STAGE_CHANGES_PER_INSERT:
   * an event applied again after a crash leaves no second row. Returns how many were new.
   */
  recordStageChanges(inputs: readonly RecordStageChangeInput[], options?: { now?: Date }): Promise<number>;
  /**
   * The deals' stage history from `since` until before `until`, oldest first, plus each deal's latest
   * change before `since`: what tells which stage entry a move in [since, until] left (exception
   * detection). Other changes are never needed there: older ones would bring a deal's thousands of
   * moves every batch, and later ones (HubSpot's history, read with the deal, is often ahead of the
   * events) as many again.
   */
  listStageChangesBetween(
    portalId: number,
    dealIds: readonly string[],
    since: Date,
    until: Date,
  ): Promise<StageEntryChange[]>;
}

export function toStageChange(row: StageChangesTable): StageChange {
  return {
    id: row.id,
    portalId: row.portal_id,
    dealId: row.deal_id,
    pipelineId: row.pipeline_id,
    fromStage: row.from_stage,
    toStage: row.to_stage,
    occurredAt: new Date(row.occurred_at),
    source: row.source,
    dedupeKey: row.dedupe_key,
    recordedAt: new Date(row.recorded_at),
  };
}

export function createStageChangeRepository(ctx: StoreContext): StageChangeRepository {
  const { db } = ctx;
  return {
    async recordStageChanges(inputs, options = {}) {
      const recordedAt = toEpochMs(options.now ?? new Date());
      let recorded = 0;
      for (let start = 0; start < inputs.length; start += STAGE_CHANGES_PER_INSERT) {
        const inserted = await db
          .insertInto('stage_changes')
          .values(
            inputs.slice(start, start + STAGE_CHANGES_PER_INSERT).map((input) => ({
              id: generateSortableId(),
              portal_id: input.portalId,
              deal_id: input.dealId,
              pipeline_id: input.pipelineId ?? null,
              from_stage: input.fromStage,
              to_stage: input.toStage,
              occurred_at: toEpochMs(input.occurredAt),
              source: input.source,
              dedupe_key: input.dedupeKey ?? null,
              recorded_at: recordedAt,
            })),
          )
          .onConflict((oc) => oc.columns(['portal_id', 'dedupe_key']).doNothing())
          .returning('id')
          .execute();
        recorded += inserted.length;
      }
      return recorded;
    },
    async listStageChangesBetween(portalId, dealIds, since, until) {
      if (dealIds.length === 0) return [];
      const sinceMs = toEpochMs(since);
      // One query for a whole batch's deals (detection runs inside the inbox batch). Each deal's latest
      // change before `since` is found once per deal (the grouped CTE), not once per row returned (a
      // correlated subquery: twice the time on both databases, for a batch's ~2,000 rows), and only the
      // three columns detection reads are read.
      const rows = await db
        .with('latest_before', (qb) =>
          qb
            .selectFrom('stage_changes')
            .select((eb) => ['deal_id', eb.fn.max('occurred_at').as('occurred_at')])
            .where('portal_id', '=', portalId)
            .where('deal_id', 'in', dealIds)
            .where('occurred_at', '<', sinceMs)
            .groupBy('deal_id'),
        )
        .selectFrom('stage_changes as change')
        .leftJoin('latest_before', 'latest_before.deal_id', 'change.deal_id')
        .select(['change.deal_id', 'change.to_stage', 'change.occurred_at'])
        .where('change.portal_id', '=', portalId)
        .where('change.deal_id', 'in', dealIds)
        .where((eb) =>
          eb('change.occurred_at', '>=', eb.fn.coalesce('latest_before.occurred_at', eb.val(sinceMs))),
        )
        .where('change.occurred_at', '<', toEpochMs(until))
        .orderBy('change.occurred_at')
        .orderBy('change.id')
        .execute();
      return rows.map((row) => ({
        dealId: row.deal_id,
        toStage: row.to_stage,
        occurredAt: new Date(row.occurred_at),
      }));
    },
  };
}
