import { sql } from 'kysely';
import { advisoryLockKey } from '../../platform/db/exclusive-lock';
import type { StoreContext } from '../../platform/db/store-context';
import type { SharedRateBudget } from '../../platform/hubspot/portal-rate-limiter';

/** When each HubSpot request of a portal started, across every instance on the database. */
export interface HubSpotRateLogTable {
  portal_id: number;
  started_at: number;
}

/**
 * The shared burst budget (portal-rate-limiter.ts) on PostgreSQL: HubSpot's rolling window, counted
 * over the starts every instance recorded. The portal's transaction-scoped advisory lock makes count
 * and insert one step, so two instances cannot both take the last request of a window.
 */
export function createRateBudgetRepository(ctx: StoreContext): SharedRateBudget {
  return {
    take: (portalId, max, windowMs, nowMs) =>
      ctx.db.transaction().execute(async (trx) => {
        const key = advisoryLockKey(`hubspot-rate:${portalId}`);
        await sql`select pg_advisory_xact_lock(cast(${key} as bigint))`.execute(trx);
        // Starts older than the window count for nothing any more.
        await trx
          .deleteFrom('hubspot_rate_log')
          .where('portal_id', '=', portalId)
          .where('started_at', '<=', nowMs - windowMs)
          .execute();
        const recent = await trx
          .selectFrom('hubspot_rate_log')
          .select('started_at')
          .where('portal_id', '=', portalId)
          .orderBy('started_at')
          .limit(max)
          .execute();
        if (recent.length >= max) return Math.max(1, recent[0]!.started_at + windowMs - nowMs);
        await trx.insertInto('hubspot_rate_log').values({ portal_id: portalId, started_at: nowMs }).execute();
        return 0;
      }),
  };
}
