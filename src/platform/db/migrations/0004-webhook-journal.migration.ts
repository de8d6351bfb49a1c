import type { Kysely, Migration } from 'kysely';

/**
 * The webhook journal: one row per acknowledged webhook request, holding its events as JSON. The intake
 * only appends here before its 2xx (one small insert a request instead of a hundred indexed inbox rows),
 * and the inbox processor later moves each row's events into webhook_inbox, where they are deduplicated,
 * and deletes the row in the same transaction. Rows that no longer parse are parked, never dropped.
 */
export const webhookJournalMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('webhook_journal')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('received_at', 'bigint', (col) => col.notNull())
      .addColumn('event_count', 'integer', (col) => col.notNull())
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('last_error', 'text')
      // 'utf8' (the JSON text) or 'deflate-raw' (those bytes compressed: the SQLite writer thread's form).
      .addColumn('body_encoding', 'text', (col) => col.notNull())
      // Last: SQLite keeps a long value in overflow pages and walks them to reach any column after it,
      // so the backlog counts (event_count, status) would read every body.
      .addColumn('body', 'text', (col) => col.notNull())
      .execute();
    // The processor takes pending rows oldest first.
    await db.schema
      .createIndex('webhook_journal_status_idx')
      .on('webhook_journal')
      .columns(['status', 'id'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('webhook_journal').execute();
  },
};
