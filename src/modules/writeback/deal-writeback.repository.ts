import { sql } from 'kysely';
import type { DealWritebacksTable } from '../../platform/db/database.types';
import { runWriteTransaction, toEpochMs, type StoreContext } from '../../platform/db/store-context';

/** A deal waiting for its SOP properties to be written to HubSpot. */
export interface PendingWriteback {
  portalId: number;
  dealId: string;
  /** What was last written (null before the first write): only values that differ are sent. */
  writtenValues: Record<string, string | null> | null;
  /** Echo it back when completing: a mark that arrives during the flush keeps the deal pending. */
  markRevision: number;
  attempts: number;
}

export interface CompletedWriteback {
  dealId: string;
  markRevision: number;
  /** The values now in HubSpot; null when nothing was written (unchanged, or the deal is gone). */
  writtenValues: Record<string, string | null> | null;
}

export interface DealWritebackRepository {
  /** Marks deals for the next flush; cheap, so request paths call it and never wait for HubSpot. */
  markDealsForWriteback(portalId: number, dealIds: readonly string[], now: Date): Promise<void>;
  /** Marked deals, oldest mark first; of one portal when given. */
  listPendingWritebacks(options: { portalId?: number; limit: number }): Promise<PendingWriteback[]>;
  completeWritebacks(portalId: number, completed: readonly CompletedWriteback[], now: Date): Promise<void>;
  /** Keeps the deals marked, so the next flush tries again. */
  recordWritebackFailure(
    portalId: number,
    dealIds: readonly string[],
    error: string,
    now: Date,
  ): Promise<void>;
}

const MAX_ERROR_LENGTH = 1000;
/** Deals completed by one statement: well below either database's limit on bound parameters. */
const ENTRIES_PER_QUERY = 500;

function parseValues(text: string | null): Record<string, string | null> | null {
  return text === null ? null : (JSON.parse(text) as Record<string, string | null>);
}

function toPending(row: DealWritebacksTable): PendingWriteback {
  return {
    portalId: row.portal_id,
    dealId: row.deal_id,
    writtenValues: parseValues(row.written_values),
    markRevision: row.mark_revision,
    attempts: row.attempts,
  };
}

export function createDealWritebackRepository(ctx: StoreContext): DealWritebackRepository {
  const { db } = ctx;
  return {
    async markDealsForWriteback(portalId, dealIds, now) {
      const unique = [...new Set(dealIds)];
      if (unique.length === 0) return;
      const at = toEpochMs(now);
      await db
        .insertInto('deal_writebacks')
        .values(
          unique.map((dealId) => ({
            portal_id: portalId,
            deal_id: dealId,
            written_values: null,
            written_at: null,
            pending: 1,
            pending_since: at,
            mark_revision: 1,
            attempts: 0,
            last_error: null,
            updated_at: at,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['portal_id', 'deal_id']).doUpdateSet({
            pending: 1,
            // The first unflushed mark dates the wait; later marks do not push the deal back in line.
            pending_since: sql<number>`coalesce(deal_writebacks.pending_since, ${at})`,
            mark_revision: sql<number>`deal_writebacks.mark_revision + 1`,
            updated_at: at,
          }),
        )
        .execute();
    },

    async listPendingWritebacks({ portalId, limit }) {
      let query = db.selectFrom('deal_writebacks').selectAll().where('pending', '=', 1);
      if (portalId !== undefined) query = query.where('portal_id', '=', portalId);
      const rows = await query
        .orderBy('pending_since')
        .orderBy('portal_id')
        .orderBy('deal_id')
        .limit(limit)
        .execute();
      return rows.map(toPending);
    },

    async completeWritebacks(portalId, completed, now) {
      if (completed.length === 0) return;
      const at = toEpochMs(now);
      // Two statements a slice of deals, not two a deal: a flush completes up to 500 deals, and each
      // statement is a query built on the event loop that answers the webhooks, and on PostgreSQL a round trip.
      await runWriteTransaction(ctx, async (trx) => {
        for (let start = 0; start < completed.length; start += ENTRIES_PER_QUERY) {
          const slice = completed.slice(start, start + ENTRIES_PER_QUERY);
          const written = slice.flatMap((entry) =>
            entry.writtenValues === null
              ? []
              : [{ dealId: entry.dealId, json: JSON.stringify(entry.writtenValues) }],
          );
          const [first, ...rest] = written;
          if (first) {
            await trx
              .updateTable('deal_writebacks')
              .set((eb) => ({
                written_values: rest
                  .reduce(
                    (values, entry) => values.when('deal_id', '=', entry.dealId).then(entry.json),
                    eb.case().when('deal_id', '=', first.dealId).then(first.json),
                  )
                  .end(),
                written_at: at,
              }))
              .where('portal_id', '=', portalId)
              .where(
                'deal_id',
                'in',
                written.map((entry) => entry.dealId),
              )
              .execute();
          }
          // A mark that arrived during the flush raised mark_revision: that deal stays pending.
          await trx
            .updateTable('deal_writebacks')
            .set({ pending: 0, pending_since: null, attempts: 0, last_error: null, updated_at: at })
            .where('portal_id', '=', portalId)
            .where((eb) =>
              eb(
                eb.refTuple('deal_id', 'mark_revision'),
                'in',
                slice.map((entry) => eb.tuple(entry.dealId, entry.markRevision)),
              ),
            )
            .execute();
        }
      });
    },

    async recordWritebackFailure(portalId, dealIds, error, now) {
      if (dealIds.length === 0) return;
      await db
        .updateTable('deal_writebacks')
        .set({
          attempts: sql<number>`attempts + 1`,
          last_error: error.slice(0, MAX_ERROR_LENGTH),
          updated_at: toEpochMs(now),
        })
        .where('portal_id', '=', portalId)
        .where('deal_id', 'in', [...dealIds])
        .execute();
    },
  };
}
