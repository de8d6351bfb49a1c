import type { Kysely, Migration } from 'kysely';

/**
 * Webhook events the edge refused (malformed, or holding text the database cannot store), kept raw with
 * the reason: the rest of their batch is stored and acknowledged, and HubSpot never redelivers a batch
 * it got a 2xx for, so this table is the only place an operator can still see them.
 */
export const refusedWebhookEventsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('refused_webhook_events')
      // sha256 of the raw element: a batch HubSpot retries (after a 5xx) does not list its refusals twice.
      .addColumn('key', 'text', (col) => col.primaryKey())
      .addColumn('received_at', 'bigint', (col) => col.notNull())
      // Null when the element has no usable portalId (that may be what is wrong with it).
      .addColumn('portal_id', 'bigint')
      .addColumn('reason', 'text', (col) => col.notNull())
      .addColumn('raw', 'text', (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex('refused_webhook_events_received_idx')
      .on('refused_webhook_events')
      .columns(['received_at'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('refused_webhook_events').execute();
  },
};
