import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * On PostgreSQL, webhook journal bodies are compressed with lz4 rather than the default pglz. Every
 * acknowledged request writes one body (~30 KB for 100 events), which PostgreSQL compresses before it
 * stores it; with pglz that took ~330 µs of a backend's CPU per request, on the 2 cores the service and
 * its database share, and lz4 takes ~140 µs for a body ~1.7 times larger (measured inserting 3,000
 * such bodies). The intake benchmark's PostgreSQL line went from 0.37 to 0.50 of the bare server.
 *
 * Only where the server was built with lz4 (it lists lz4 among default_toast_compression's values); other
 * servers keep pglz, which stores the same text. SQLite stores bodies deflated by the journal's writer
 * thread and has nothing to change. Only values written from now on are affected.
 */
export const journalBodyLz4Migration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
    const offered = await sql<{ lz4: boolean }>`
      select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'`.execute(
      db,
    );
    if (!offered.rows[0]?.lz4) return;
    await sql`alter table webhook_journal alter column body set compression lz4`.execute(db);
  },

  async down(db: Kysely<unknown>): Promise<void> {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
    await sql`alter table webhook_journal alter column body set compression default`.execute(db);
  },
};
