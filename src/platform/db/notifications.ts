import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { Database } from './database.types';

/**
 * "Something changed, look again", from one instance to every other on the same PostgreSQL database
 * (LISTEN/NOTIFY). A notification only says that a channel changed: listeners re-read the database,
 * which stays the truth, so a notification lost while a listener reconnects costs nothing more than
 * the re-read every (re)connection does anyway.
 */
export type Listen = (channel: string, onChange: () => void) => Promise<() => Promise<void>>;

/** Sent inside `executor`'s transaction: listeners hear it when (and only if) it commits. */
export async function notifyChannel(executor: Kysely<Database>, channel: string): Promise<void> {
  await sql`select pg_notify(${channel}, '')`.execute(executor);
}

const RECONNECT_DELAY_MS = 1_000;

/**
 * One connection of its own per listener (a pooled one would hold a pool slot, and the pool would hand
 * a LISTENing session to other callers after a release). A dropped connection is reopened; `onChange`
 * runs once each time it (re)opens, for what changed while nobody listened.
 */
export function createPostgresListen(databaseUrl: string): Listen {
  return async (channel, onChange) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
    let stopped = false;
    let client: pg.Client | null = null;
    let retry: NodeJS.Timeout | null = null;

    const connect = async (): Promise<void> => {
      const candidate = new pg.Client({ connectionString: databaseUrl });
      const lost = () => {
        if (client !== candidate) return;
        client = null;
        void candidate.end().catch(() => undefined);
        if (!stopped) retry = setTimeout(() => void connect(), RECONNECT_DELAY_MS);
      };
      candidate.on('error', lost);
      candidate.on('end', lost);
      candidate.on('notification', (message) => {
        if (message.channel === channel) onChange();
      });
      client = candidate;
      try {
        await candidate.connect();
        await candidate.query(`listen ${channel}`);
      } catch {
        lost();
        return;
      }
      if (!stopped) onChange();
    };

    await connect();
    return async () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      const open = client;
      client = null;
      await open?.end().catch(() => undefined);
    };
  };
}
