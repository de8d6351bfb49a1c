import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { StoreContext } from './store-context';

/**
 * "Only one of us does this right now", across every instance that shares the database (DESIGN.md §6):
 * the periodic stall sweep must not run twice at once, or two instances would race on the same stalls.
 *
 * PostgreSQL: a session advisory lock, taken with pg_try_advisory_lock on one pooled connection that is
 * held for the whole run, so the lock cannot leak to another caller of the pool; if the process dies,
 * PostgreSQL drops the session and the lock with it. SQLite serves one process (DESIGN.md §6), so the
 * work simply runs.
 */
export type ExclusiveRun<T> = { acquired: true; value: T } | { acquired: false };

export type WithExclusiveLock = <T>(name: string, work: () => Promise<T>) => Promise<ExclusiveRun<T>>;

/** Advisory locks are keyed by a signed 64-bit number: derive a stable one from the lock's name. */
export function advisoryLockKey(name: string): string {
  return createHash('sha256').update(`sop-guide:${name}`).digest().readBigInt64BE(0).toString();
}

export function createExclusiveLock(ctx: StoreContext): WithExclusiveLock {
  return async <T>(name: string, work: () => Promise<T>): Promise<ExclusiveRun<T>> => {
    if (ctx.dialect === 'sqlite') return { acquired: true, value: await work() };
    const key = advisoryLockKey(name);
    return ctx.db.connection().execute(async (connection) => {
      const { rows } = await sql<{
        locked: boolean;
      }>`select pg_try_advisory_lock(cast(${key} as bigint)) as locked`.execute(connection);
      if (rows[0]?.locked !== true) return { acquired: false };
      try {
        return { acquired: true, value: await work() };
      } finally {
        await sql`select pg_advisory_unlock(cast(${key} as bigint))`.execute(connection);
      }
    });
  };
}
