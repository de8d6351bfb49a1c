import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../../../src/platform/db/database.types';

/**
 * Reads what the service stores but never reads back itself (a parked event's error, a portal's row),
 * straight from the test database, over a read-only connection of its own that is closed afterwards.
 * The store offers no method for such reads: it would be a production method only tests call.
 * Numbers in PostgreSQL bigint columns come back as strings here; compare through Number().
 */
export async function readDatabase<T>(url: string, read: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  const db = url.startsWith('sqlite:')
    ? new Kysely<Database>({
        dialect: new SqliteDialect({
          database: new SqliteDatabase(url.slice('sqlite:'.length).replace(/^\/\//, ''), { readonly: true }),
        }),
      })
    : new Kysely<Database>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
      });
  try {
    return await read(db);
  } finally {
    await db.destroy();
  }
}
