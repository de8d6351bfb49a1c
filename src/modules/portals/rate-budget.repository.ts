import { sql } from 'kysely';
import { advisoryLockKey } from '../../platform/db/exclusive-lock';
import type { StoreContext } from '../../platform/db/store-context';
import type { RateBucket, SharedRateBudget } from '../../platform/hubspot/portal-rate-limiter';

/** When each HubSpot request of a portal started (or will have started, at the latest), per bucket, across every instance. */
export interface HubSpotRateLogTable {
  portal_id: number;
  bucket: RateBucket;
  started_at: number;
}

/**
 * The shared budgets (portal-rate-limiter.ts) on PostgreSQL: HubSpot's rolling windows, counted over the
 * starts every instance recorded. The (portal, bucket) transaction-scoped advisory lock makes count and
 * insert one step, so two instances cannot both take the last starts of a window.
 */
export function createRateBudgetRepository(ctx: StoreContext): SharedRateBudget {
  return {
    reserve: ({ portalId, bucket, max, windowMs, nowMs, count, holdMs }) =>
      ctx.db.transaction().execute(async (trx) => {
        const key = advisoryLockKey(`hubspot-rate:${portalId}:${bucket}`);
        await sql`select pg_advisory_xact_lock(cast(${key} as bigint))`.execute(trx);
        // Starts older than the window count for nothing any more.
        await trx
          .deleteFrom('hubspot_rate_log')
          .where('portal_id', '=', portalId)
          .where('bucket', '=', bucket)
          .where('started_at', '<=', nowMs - windowMs)
          .execute();
        const window = await trx
          .selectFrom('hubspot_rate_log')
          .select((eb) => [
            eb.fn.countAll<number>().as('starts'),
            eb.fn.min<number>('started_at').as('oldest'),
          ])
          .where('portal_id', '=', portalId)
          .where('bucket', '=', bucket)
          .executeTakeFirstOrThrow();
        const free = max - Number(window.starts);
        if (free <= 0) return { granted: 0, waitMs: Math.max(1, Number(window.oldest) + windowMs - nowMs) };
        const granted = Math.min(count, free);
        await trx
          .insertInto('hubspot_rate_log')
          .values(
            Array.from({ length: granted }, () => ({
              portal_id: portalId,
              bucket,
              started_at: nowMs + holdMs,
            })),
          )
          .execute();
        return { granted, waitMs: 0 };
      }),
  };
}
