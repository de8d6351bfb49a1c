import type { StageChangesTable } from '../../platform/db/database.types';
import { generateSortableId, toEpochMs, type StoreContext } from '../../platform/db/store-context';

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
  recordStageChange(input: RecordStageChangeInput, options?: { now?: Date }): Promise<{ recorded: boolean }>;
  /** A deal's stage history, oldest first: which stage entry a move left (exception detection). */
  listStageChanges(portalId: number, dealId: string, options?: { since?: Date }): Promise<StageChange[]>;
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
    async recordStageChange(input, options = {}) {
      const inserted = await db
        .insertInto('stage_changes')
        .values({
          id: generateSortableId(),
          portal_id: input.portalId,
          deal_id: input.dealId,
          pipeline_id: input.pipelineId ?? null,
          from_stage: input.fromStage,
          to_stage: input.toStage,
          occurred_at: toEpochMs(input.occurredAt),
          source: input.source,
          dedupe_key: input.dedupeKey ?? null,
          recorded_at: toEpochMs(options.now ?? new Date()),
        })
        .onConflict((oc) => oc.columns(['portal_id', 'dedupe_key']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return { recorded: inserted !== undefined };
    },
    async listStageChanges(portalId, dealId, options = {}) {
      let query = db
        .selectFrom('stage_changes')
        .selectAll()
        .where('portal_id', '=', portalId)
        .where('deal_id', '=', dealId);
      if (options.since) query = query.where('occurred_at', '>=', toEpochMs(options.since));
      const rows = await query.orderBy('occurred_at').orderBy('id').execute();
      return rows.map(toStageChange);
    },
  };
}
