import type { ClosedDealFacts, OutcomeHistogramRow } from '../../domain';
import { formatMonth } from '../../domain';
import { runWriteTransaction, toEpochMs, type StoreContext } from '../../platform/db/store-context';

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

/**
 * Open deals of one (stage, owner), with the SOP status the write-back last computed for them and their
 * open exceptions (DESIGN.md §7).
 */
export interface OpenDealCount {
  stageId: string;
  ownerId: string | null;
  open: number;
  ready: number;
  blocked: number;
  stalled: number;
  openExceptions: number;
}

/** Open deals grouped by stage, close month and risk: what the demand view sums, without a row per deal. */
export interface OpenDealDemandGroup {
  stageId: string;
  /** `2026-12`; null without a usable close date. */
  closeMonth: string | null;
  /** Stalled or with open exceptions. */
  atRisk: boolean;
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
  /** The outcome histograms of deals closed on the days `from`..`to` (UTC, both included), summed. */
  sumOutcomeHistograms(scope: DealScope, window: { from: Date; to: Date }): Promise<OutcomeHistogramRow[]>;
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

const DAY_MS = 86_400_000;

/** The figure tables keep "no owner" as '' (a key column); the API says null. */
const ownerKey = (ownerId: string) => (ownerId === '' ? null : ownerId);

export function createInsightsRepository(ctx: StoreContext): InsightsRepository {
  const { db } = ctx;

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
      // One transaction, a statement a slice of marks: a commit per mark cost a disk flush each (seconds
      // for a batch of deals), and a statement per mark a query built on the event loop the webhooks use.
      await runWriteTransaction(ctx, async (trx) => {
        for (let start = 0; start < pending.length; start += IDS_PER_QUERY) {
          const slice = pending.slice(start, start + IDS_PER_QUERY);
          // A mark renewed since it was read (a later marked_at) stays for the next run.
          await trx
            .deleteFrom('insight_pending_deals')
            .where((eb) =>
              eb(
                eb.refTuple('portal_id', 'deal_id', 'marked_at'),
                'in',
                slice.map((mark) => eb.tuple(mark.portalId, mark.dealId, mark.markedAt)),
              ),
            )
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

    async sumOutcomeHistograms(scope, window) {
      const query = db
        .selectFrom('insight_outcome_figures')
        .select((eb) => [
          'kind',
          'grp',
          'bucket',
          eb.fn.sum<number | string>('deals').as('deals'),
          eb.fn.sum<number | string>('won').as('won'),
          eb.fn.sum<number | string>('days').as('days'),
        ])
        .where('portal_id', '=', scope.portalId)
        .where('pipeline_id', '=', scope.pipelineId)
        .where('closed_day', '>=', Math.floor(toEpochMs(window.from) / DAY_MS))
        .where('closed_day', '<=', Math.floor(toEpochMs(window.to) / DAY_MS))
        // '*' holds every owner's deals summed (0014-insight-figures).
        .where('owner_id', '=', scope.ownerId ?? '*');
      const rows = await query.groupBy(['kind', 'grp', 'bucket']).execute();
      return rows
        .filter((row) => Number(row.deals) > 0)
        .map((row) => ({
          kind: row.kind as OutcomeHistogramRow['kind'],
          group: row.grp,
          days: Number(row.bucket) < 0 ? null : Number(row.days) / Number(row.deals),
          deals: Number(row.deals),
          won: Number(row.won),
        }));
    },

    async sumWonAmountByMonth(scope, months) {
      if (months.length === 0) return new Map();
      let query = db
        .selectFrom('insight_won_months')
        .select(['close_month', (eb) => eb.fn.sum<number | string>('amount').as('won_amount')])
        .where('portal_id', '=', scope.portalId)
        .where('pipeline_id', '=', scope.pipelineId)
        .where('close_month', 'in', months);
      if (scope.ownerId !== undefined) query = query.where('owner_id', '=', scope.ownerId);
      const rows = await query.groupBy('close_month').execute();
      return new Map(rows.map((row) => [row.close_month, Number(row.won_amount)]));
    },

    async countOpenDeals(scope, openStageIds) {
      if (openStageIds.length === 0) return [];
      let query = db
        .selectFrom('insight_open_figures')
        .select((eb) => [
          'stage_id',
          'owner_id',
          eb.fn.sum<number | string>('deals').as('open'),
          eb.fn.sum<number | string>('ready').as('ready'),
          eb.fn.sum<number | string>('blocked').as('blocked'),
          eb.fn.sum<number | string>('stalled').as('stalled'),
          eb.fn.sum<number | string>('open_exceptions').as('open_exceptions'),
        ])
        .where('portal_id', '=', scope.portalId)
        .where('pipeline_id', '=', scope.pipelineId)
        .where('stage_id', 'in', openStageIds);
      if (scope.ownerId !== undefined) query = query.where('owner_id', '=', scope.ownerId);
      const rows = await query.groupBy(['stage_id', 'owner_id']).execute();
      return rows
        .filter((row) => Number(row.open) > 0)
        .map((row) => ({
          stageId: row.stage_id,
          ownerId: ownerKey(row.owner_id),
          open: Number(row.open),
          ready: Number(row.ready),
          blocked: Number(row.blocked),
          stalled: Number(row.stalled),
          openExceptions: Number(row.open_exceptions),
        }));
    },

    async groupOpenDealsForDemand(scope, openStageIds) {
      if (openStageIds.length === 0) return [];
      let query = db
        .selectFrom('insight_open_figures')
        .select((eb) => [
          'stage_id',
          'close_month',
          'at_risk',
          eb.fn.sum<number | string>('deals').as('deals'),
          eb.fn.sum<number | string>('amount').as('amount'),
        ])
        .where('portal_id', '=', scope.portalId)
        .where('pipeline_id', '=', scope.pipelineId)
        .where('stage_id', 'in', openStageIds);
      if (scope.ownerId !== undefined) query = query.where('owner_id', '=', scope.ownerId);
      const rows = await query.groupBy(['stage_id', 'close_month', 'at_risk']).execute();
      return rows
        .filter((row) => Number(row.deals) > 0)
        .map((row) => ({
          stageId: row.stage_id,
          closeMonth: row.close_month === '' ? null : row.close_month,
          atRisk: Number(row.at_risk) === 1,
          deals: Number(row.deals),
          amount: Number(row.amount),
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
