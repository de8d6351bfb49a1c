import { sql } from 'kysely';
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
      // One query for a whole batch's deals (detection runs inside the inbox batch), driven by the deals
      // asked for: each deal's latest change before `since` is one probe of stage_changes_deal_idx, and
      // its rows from there until `until` one range of it. The cross join keeps SQLite's loops in that
      // order (its planner takes CROSS JOIN's left side as the outer loop), also before the tables have
      // statistics; PostgreSQL plans it as any join. A join on a grouped CTE instead let the planners
      // range over the whole portal's history by time (stage_changes_portal_time_idx): 4x the time on
      // SQLite for a batch of 240 deals, and growing with the portal, not with the batch.
      const asked = sql.join(dealIds.map((dealId) => sql`(${dealId})`));
      const { rows } = await sql<Pick<StageChangesTable, 'deal_id' | 'to_stage' | 'occurred_at'>>`
        with asked (deal_id) as (values ${asked}),
        bounds as (
          select asked.deal_id, coalesce(
            (select max(latest.occurred_at) from stage_changes latest
              where latest.portal_id = ${portalId} and latest.deal_id = asked.deal_id
                and latest.occurred_at < ${sinceMs}),
            ${sinceMs}) as from_at
          from asked)
        select change.deal_id, change.to_stage, change.occurred_at
        from bounds cross join stage_changes change
        where change.portal_id = ${portalId} and change.deal_id = bounds.deal_id
          and change.occurred_at >= bounds.from_at and change.occurred_at < ${toEpochMs(until)}
        order by change.occurred_at, change.id`.execute(db);
      return rows.map((row) => ({
        dealId: row.deal_id,
        toStage: row.to_stage,
        occurredAt: new Date(Number(row.occurred_at)),
      }));
    },
  };
}
