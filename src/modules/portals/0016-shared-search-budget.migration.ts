import type { Kysely, Migration } from 'kysely';

/**
 * HubSpot's search limit (about 5 a second) is per portal like the burst limit: the shared budget
 * (rate-budget.repository.ts) keeps both, each start under its bucket.
 */
export const sharedSearchBudgetMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('hubspot_rate_log')
      .addColumn('bucket', 'text', (col) => col.notNull().defaultTo('burst'))
      .execute();
    await db.schema.dropIndex('hubspot_rate_log_portal_started').execute();
    await db.schema
      .createIndex('hubspot_rate_log_portal_bucket_started')
      .on('hubspot_rate_log')
      .columns(['portal_id', 'bucket', 'started_at'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('hubspot_rate_log_portal_bucket_started').execute();
    await db.schema
      .createIndex('hubspot_rate_log_portal_started')
      .on('hubspot_rate_log')
      .columns(['portal_id', 'started_at'])
      .execute();
    await db.schema.alterTable('hubspot_rate_log').dropColumn('bucket').execute();
  },
};
