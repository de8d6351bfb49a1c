import { sql, type RawBuilder } from 'kysely';
import type { ClosedDealFacts, ClosedDealSummary, ClosedStepFacts } from '../../domain';
import { formatMonth } from '../../domain';
import {
  runWriteTransaction,
  toEpochMs,
  type StoreContext,
  type StoreDialect,
} from '../../platform/db/store-context';

/** Large `IN (...)` lists are split so that no query exceeds SQLite's bound-parameter limit. */
const IDS_PER_QUERY = 500;

export interface ClosedDealRecord extends ClosedDealFacts {
  portalId: number;
  dealId: string;
  pipelineId: string;
  ownerId: string | null;
  playbookVersion: number | null;
}

export interface PendingDeal {
  portalId: number;
  dealId: string;
  markedAt: number;
  attempts: number;
}

/** Open deals of one (stage, owner), with the SOP status the write-back last computed for them. */
export interface OpenDealCount {
  stageId: string;
  ownerId: string | null;
  open: number;
  ready: number;
  blocked: number;
  stalled: number;
}

/** Open deals grouped by stage, close date key and stall: what the demand view sums, without a row per deal. */
export interface OpenDealDemandGroup {
  stageId: string;
  /** `2026-12` for ISO close dates; HubSpot's value itself otherwise (epoch ms); null without one. */
  closeKey: string | null;
  stalled: boolean;
  deals: number;
  /** The deals' amounts summed (deals without a numeric amount add nothing). */
  amount: number;
}

/** Which deals a figure covers: one pipeline, optionally one owner (a rep sees only theirs). */
export interface DealScope {
  portalId: number;
  pipelineId: string;
  /** undefined: every owner. */
  ownerId?: string;
}

export interface InsightsRepository {
  markPending(portalId: number, dealIds: readonly string[], now: Date): Promise<void>;
  /** The oldest marks, up to `limit`, across portals. */
  listPending(limit: number): Promise<PendingDeal[]>;
  /** Clears marks, unless the deal was marked again since it was listed (then the next run reads it again). */
  completePending(pending: readonly PendingDeal[]): Promise<void>;
  /** After a failed read: counted, and given up after `maxAttempts`. */
  failPending(pending: readonly PendingDeal[], maxAttempts: number): Promise<void>;
  saveClosedDeal(record: ClosedDealRecord, now: Date): Promise<void>;
  /** Reopened or deleted deals leave the history. */
  deleteClosedDeals(portalId: number, dealIds: readonly string[]): Promise<void>;
  /** What the outcomes need of each deal closed in the window (two indexed range reads, no per-deal query). */
  listClosedDealSummaries(scope: DealScope, window: { from: Date; to: Date }): Promise<ClosedDealSummary[]>;
  sumWonAmountByMonth(scope: DealScope, months: readonly string[]): Promise<Map<string, number>>;
  countOpenDeals(scope: DealScope, openStageIds: readonly string[]): Promise<OpenDealCount[]>;
  groupOpenDealsForDemand(scope: DealScope, openStageIds: readonly string[]): Promise<OpenDealDemandGroup[]>;
  setCapacity(
    portalId: number,
    months: ReadonlyArray<{ month: string; amount: number }>,
    userId: string,
    now: Date,
  ): Promise<void>;
  listCapacity(portalId: number, months: readonly string[]): Promise<Map<string, number>>;
}

/** A value inside a JSON text column, read by the database. */
function jsonText(dialect: StoreDialect, column: string, key: string): RawBuilder<string | null> {
  const ref = sql.ref(column);
  if (dialect === 'postgres') return sql<string | null>`(${ref}::jsonb ->> ${sql.lit(key)})`;
  return sql<string | null>`json_extract(${ref}, ${sql.lit(`$.${key}`)})`;
}

export function createInsightsRepository(ctx: StoreContext): InsightsRepository {
  const { db, dialect } = ctx;
  const compliance = jsonText(dialect, 'deal_writebacks.written_values', 'sop_guide_compliance');
  const stalled = jsonText(dialect, 'deal_writebacks.written_values', 'sop_guide_stalled');

  /** Live deals of the scope in the given stages, with the write-back's last verdicts joined. */
  const openDeals = (scope: DealScope, openStageIds: readonly string[]) => {
    let query = db
      .selectFrom('deals')
      .leftJoin('deal_writebacks', (join) =>
        join
          .onRef('deal_writebacks.portal_id', '=', 'deals.portal_id')
          .onRef('deal_writebacks.deal_id', '=', 'deals.deal_id'),
      )
      .where('deals.portal_id', '=', scope.portalId)
      .where('deals.pipeline_id', '=', scope.pipelineId)
      .where('deals.stage_id', 'in', openStageIds)
      .where('deals.deleted_at', 'is', null);
    if (scope.ownerId !== undefined) query = query.where('deals.owner_id', '=', scope.ownerId);
    return query;
  };

  return {
    async markPending(portalId, dealIds, now) {
      const unique = [...new Set(dealIds)];
      for (let start = 0; start < unique.length; start += IDS_PER_QUERY) {
        await db
          .insertInto('insight_pending_deals')
          .values(
            unique.slice(start, start + IDS_PER_QUERY).map((dealId) => ({
              portal_id: portalId,
              deal_id: dealId,
              marked_at: toEpochMs(now),
              attempts: 0,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['portal_id', 'deal_id']).doUpdateSet((eb) => ({
              marked_at: eb.ref('excluded.marked_at'),
              attempts: 0,
            })),
          )
          .execute();
      }
    },

    async listPending(limit) {
      const rows = await db
        .selectFrom('insight_pending_deals')
        .selectAll()
        .orderBy('marked_at')
        .orderBy('portal_id')
        .orderBy('deal_id')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        portalId: row.portal_id,
        dealId: row.deal_id,
        markedAt: row.marked_at,
        attempts: row.attempts,
      }));
    },

    async completePending(pending) {
      if (pending.length === 0) return;
      // One transaction: a commit per mark cost a disk flush each (seconds for a batch of deals).
      await runWriteTransaction(ctx, async (trx) => {
        for (const mark of pending) {
          await trx
            .deleteFrom('insight_pending_deals')
            .where('portal_id', '=', mark.portalId)
            .where('deal_id', '=', mark.dealId)
            .where('marked_at', '=', mark.markedAt)
            .execute();
        }
      });
    },

    async failPending(pending, maxAttempts) {
      for (const mark of pending) {
        const query = db
          .updateTable('insight_pending_deals')
          .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
          .where('portal_id', '=', mark.portalId)
          .where('deal_id', '=', mark.dealId);
        if (mark.attempts + 1 >= maxAttempts) {
          await db
            .deleteFrom('insight_pending_deals')
            .where('portal_id', '=', mark.portalId)
            .where('deal_id', '=', mark.dealId)
            .where('marked_at', '=', mark.markedAt)
            .execute();
        } else {
          await query.execute();
        }
      }
    },

    async saveClosedDeal(record, now) {
      await runWriteTransaction(ctx, async (trx) => {
        const row = {
          portal_id: record.portalId,
          deal_id: record.dealId,
          pipeline_id: record.pipelineId,
          owner_id: record.ownerId,
          won: record.outcome === 'won' ? 1 : 0,
          amount: record.amount,
          close_date: toEpochMs(record.closeDate),
          close_month: formatMonth(record.closeDate),
          closed_at: toEpochMs(record.closedAt),
          cycle_days: record.cycleDays,
          playbook_version: record.playbookVersion,
          updated_at: toEpochMs(now),
        };
        await trx
          .insertInto('insight_closed_deals')
          .values(row)
          .onConflict((oc) =>
            oc.columns(['portal_id', 'deal_id']).doUpdateSet((eb) => ({
              pipeline_id: eb.ref('excluded.pipeline_id'),
              owner_id: eb.ref('excluded.owner_id'),
              won: eb.ref('excluded.won'),
              amount: eb.ref('excluded.amount'),
              close_date: eb.ref('excluded.close_date'),
              close_month: eb.ref('excluded.close_month'),
              closed_at: eb.ref('excluded.closed_at'),
              cycle_days: eb.ref('excluded.cycle_days'),
              playbook_version: eb.ref('excluded.playbook_version'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
        await trx
          .deleteFrom('insight_closed_deal_steps')
          .where('portal_id', '=', record.portalId)
          .where('deal_id', '=', record.dealId)
          .execute();
        if (record.steps.length > 0) {
          await trx
            .insertInto('insight_closed_deal_steps')
            .values(
              record.steps.map((step) => ({
                portal_id: record.portalId,
                deal_id: record.dealId,
                step_id: step.stepId,
                days: step.days,
                completed: step.completed === null ? null : step.completed ? 1 : 0,
              })),
            )
            .execute();
        }
      });
    },

    async deleteClosedDeals(portalId, dealIds) {
      const unique = [...new Set(dealIds)];
      for (let start = 0; start < unique.length; start += IDS_PER_QUERY) {
        const ids = unique.slice(start, start + IDS_PER_QUERY);
        await runWriteTransaction(ctx, async (trx) => {
          await trx
            .deleteFrom('insight_closed_deal_steps')
            .where('portal_id', '=', portalId)
            .where('deal_id', 'in', ids)
            .execute();
          await trx
            .deleteFrom('insight_closed_deals')
            .where('portal_id', '=', portalId)
            .where('deal_id', 'in', ids)
            .execute();
        });
      }
    },

    async listClosedDealSummaries(scope, window) {
      let deals = db
        .selectFrom('insight_closed_deals')
        .select(['deal_id', 'won', 'cycle_days', 'playbook_version'])
        .where('portal_id', '=', scope.portalId)
        .where('pipeline_id', '=', scope.pipelineId)
        .where('closed_at', '>=', toEpochMs(window.from))
        .where('closed_at', '<', toEpochMs(window.to));
      if (scope.ownerId !== undefined) deals = deals.where('owner_id', '=', scope.ownerId);
      let steps = db
        .selectFrom('insight_closed_deal_steps')
        .innerJoin('insight_closed_deals', (join) =>
          join
            .onRef('insight_closed_deals.portal_id', '=', 'insight_closed_deal_steps.portal_id')
            .onRef('insight_closed_deals.deal_id', '=', 'insight_closed_deal_steps.deal_id'),
        )
        .select([
          'insight_closed_deal_steps.deal_id',
          'insight_closed_deal_steps.step_id',
          'insight_closed_deal_steps.days',
          'insight_closed_deal_steps.completed',
        ])
        .where('insight_closed_deals.portal_id', '=', scope.portalId)
        .where('insight_closed_deals.pipeline_id', '=', scope.pipelineId)
        .where('insight_closed_deals.closed_at', '>=', toEpochMs(window.from))
        .where('insight_closed_deals.closed_at', '<', toEpochMs(window.to));
      if (scope.ownerId !== undefined)
        steps = steps.where('insight_closed_deals.owner_id', '=', scope.ownerId);
      const [dealRows, stepRows] = await Promise.all([deals.execute(), steps.execute()]);
      const stepsOf = new Map<string, ClosedStepFacts[]>();
      for (const step of stepRows) {
        const list = stepsOf.get(step.deal_id) ?? [];
        list.push({
          stepId: step.step_id,
          days: Number(step.days),
          completed: step.completed === null ? null : Number(step.completed) === 1,
        });
        stepsOf.set(step.deal_id, list);
      }
      return dealRows.map((row) => ({
        outcome: Number(row.won) === 1 ? 'won' : 'lost',
        cycleDays: row.cycle_days === null ? null : Number(row.cycle_days),
        playbookVersion: row.playbook_version,
        steps: stepsOf.get(row.deal_id) ?? [],
      }));
    },

    async sumWonAmountByMonth(scope, months) {
      if (months.length === 0) return new Map();
      let query = db
        .selectFrom('insight_closed_deals')
        .select(['close_month', (eb) => eb.fn.sum<number | string | null>('amount').as('won_amount')])
        .where('portal_id', '=', scope.portalId)
        .where('pipeline_id', '=', scope.pipelineId)
        .where('close_month', 'in', months)
        .where('won', '=', 1);
      if (scope.ownerId !== undefined) query = query.where('owner_id', '=', scope.ownerId);
      const rows = await query.groupBy('close_month').execute();
      return new Map(rows.map((row) => [row.close_month, Number(row.won_amount ?? 0)]));
    },

    async countOpenDeals(scope, openStageIds) {
      if (openStageIds.length === 0) return [];
      const rows = await openDeals(scope, openStageIds)
        .select((eb) => [
          'deals.stage_id',
          'deals.owner_id',
          eb.fn.countAll<number | string>().as('open'),
          eb.fn
            .sum<number | string | null>(eb.case().when(compliance, '=', 'compliant').then(1).else(0).end())
            .as('ready'),
          eb.fn
            .sum<number | string | null>(eb.case().when(compliance, '=', 'blocked').then(1).else(0).end())
            .as('blocked'),
          eb.fn
            .sum<number | string | null>(eb.case().when(stalled, '=', 'true').then(1).else(0).end())
            .as('stalled'),
        ])
        .groupBy(['deals.stage_id', 'deals.owner_id'])
        .execute();
      return rows.map((row) => ({
        stageId: row.stage_id,
        ownerId: row.owner_id,
        open: Number(row.open),
        ready: Number(row.ready ?? 0),
        blocked: Number(row.blocked ?? 0),
        stalled: Number(row.stalled ?? 0),
      }));
    },

    async groupOpenDealsForDemand(scope, openStageIds) {
      if (openStageIds.length === 0) return [];
      const closeDate = jsonText(dialect, 'deals.properties', 'closedate');
      const amount = jsonText(dialect, 'deals.properties', 'amount');
      // ISO dates group by their month in the database; anything else (epoch ms) is grouped as is.
      const closeKey = sql<
        string | null
      >`case when ${closeDate} like '____-__-%' then substr(${closeDate}, 1, 7) else ${closeDate} end`;
      const numericAmount =
        dialect === 'postgres'
          ? sql<
              number | null
            >`case when ${amount} ~ '^-?[0-9]+([.][0-9]+)?$' then (${amount})::double precision end`
          : sql<number | null>`case when trim(${amount}) glob '*[0-9]*' then cast(${amount} as real) end`;
      const rows = await openDeals(scope, openStageIds)
        .select((eb) => [
          'deals.stage_id',
          closeKey.as('close_key'),
          stalled.as('stalled'),
          eb.fn.countAll<number | string>().as('deals'),
          eb.fn.sum<number | string | null>(numericAmount).as('amount'),
        ])
        .groupBy(['deals.stage_id', sql`close_key`, sql`stalled`])
        .execute();
      return rows.map((row) => ({
        stageId: row.stage_id,
        closeKey: row.close_key === null || row.close_key === '' ? null : String(row.close_key),
        stalled: row.stalled === 'true',
        deals: Number(row.deals),
        amount: Number(row.amount ?? 0),
      }));
    },

    async setCapacity(portalId, months, userId, now) {
      if (months.length === 0) return;
      await db
        .insertInto('insight_capacity')
        .values(
          months.map(({ month, amount }) => ({
            portal_id: portalId,
            month,
            amount,
            updated_by: userId,
            updated_at: toEpochMs(now),
          })),
        )
        .onConflict((oc) =>
          oc.columns(['portal_id', 'month']).doUpdateSet((eb) => ({
            amount: eb.ref('excluded.amount'),
            updated_by: eb.ref('excluded.updated_by'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    },

    async listCapacity(portalId, months) {
      if (months.length === 0) return new Map();
      const rows = await db
        .selectFrom('insight_capacity')
        .select(['month', 'amount'])
        .where('portal_id', '=', portalId)
        .where('month', 'in', months)
        .execute();
      return new Map(rows.map((row) => [row.month, Number(row.amount)]));
    },
  };
}
