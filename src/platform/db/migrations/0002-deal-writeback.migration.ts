import type { Kysely, Migration } from 'kysely';

/**
 * Write-back state per deal: the SOP property values last written to HubSpot (so unchanged deals cost
 * no call) and whether the deal waits for a flush. Kept in the database, not in memory, so a deal
 * marked by one instance is flushed by whichever instance runs next, and a crash loses no mark.
 * Also indexes the audit tables by portal and time, for the portal-wide audit export.
 */
export const dealWritebackMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('deal_writebacks')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('deal_id', 'text', (col) => col.notNull())
      .addColumn('written_values', 'text')
      .addColumn('written_at', 'bigint')
      .addColumn('pending', 'integer', (col) => col.notNull())
      .addColumn('pending_since', 'bigint')
      .addColumn('mark_revision', 'integer', (col) => col.notNull())
      .addColumn('attempts', 'integer', (col) => col.notNull())
      .addColumn('last_error', 'text')
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('deal_writebacks_pk', ['portal_id', 'deal_id'])
      .execute();
    // The flush looks for marked deals, oldest mark first.
    await db.schema
      .createIndex('deal_writebacks_pending_idx')
      .on('deal_writebacks')
      .columns(['pending', 'pending_since'])
      .execute();
    await db.schema
      .createIndex('stage_changes_portal_time_idx')
      .on('stage_changes')
      .columns(['portal_id', 'occurred_at'])
      .execute();
    await db.schema
      .createIndex('action_completions_portal_time_idx')
      .on('action_completions')
      .columns(['portal_id', 'at'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('action_completions_portal_time_idx').execute();
    await db.schema.dropIndex('stage_changes_portal_time_idx').execute();
    await db.schema.dropTable('deal_writebacks').execute();
  },
};
