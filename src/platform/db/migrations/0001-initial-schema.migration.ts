import type { Kysely, Migration } from 'kysely';

/**
 * The first schema. Column types are the ones both SQLite and PostgreSQL understand the same way
 * (text, integer, bigint): see database.types.ts for the conventions.
 */
export const initialSchemaMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('portals')
      .addColumn('portal_id', 'bigint', (col) => col.primaryKey())
      .addColumn('time_zone', 'text', (col) => col.notNull())
      .addColumn('hub_domain', 'text')
      .addColumn('installed_at', 'bigint', (col) => col.notNull())
      .addColumn('uninstalled_at', 'bigint')
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .execute();

    await db.schema
      .createTable('playbook_versions')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('version', 'integer', (col) => col.notNull())
      .addColumn('document', 'text', (col) => col.notNull())
      .addColumn('author_user_id', 'text')
      .addColumn('note', 'text')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      // The primary key is what makes concurrent saves of the same portal pick distinct versions.
      .addPrimaryKeyConstraint('playbook_versions_pk', ['portal_id', 'version'])
      .execute();

    await db.schema
      .createTable('deals')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('deal_id', 'text', (col) => col.notNull())
      .addColumn('pipeline_id', 'text', (col) => col.notNull())
      .addColumn('stage_id', 'text', (col) => col.notNull())
      .addColumn('stage_entered_at', 'bigint', (col) => col.notNull())
      .addColumn('playbook_version', 'integer')
      .addColumn('owner_id', 'text')
      .addColumn('properties', 'text', (col) => col.notNull())
      .addColumn('associations', 'text', (col) => col.notNull())
      .addColumn('last_activity_at', 'bigint')
      .addColumn('next_activity_at', 'bigint')
      .addColumn('last_event_at', 'bigint')
      .addColumn('deleted_at', 'bigint')
      .addColumn('revision', 'integer', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('deals_pk', ['portal_id', 'deal_id'])
      .execute();
    // The stalled-deal sweep scans one portal's deals by how long they have been in their stage.
    await db.schema
      .createIndex('deals_portal_stage_entered_idx')
      .on('deals')
      .columns(['portal_id', 'stage_entered_at'])
      .execute();

    await db.schema
      .createTable('stage_changes')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('deal_id', 'text', (col) => col.notNull())
      .addColumn('pipeline_id', 'text')
      .addColumn('from_stage', 'text')
      .addColumn('to_stage', 'text', (col) => col.notNull())
      .addColumn('occurred_at', 'bigint', (col) => col.notNull())
      .addColumn('source', 'text', (col) => col.notNull())
      .addColumn('dedupe_key', 'text')
      .addColumn('recorded_at', 'bigint', (col) => col.notNull())
      .execute();
    // NULL dedupe keys never collide in either dialect, so changes without a source event still record.
    await db.schema
      .createIndex('stage_changes_dedupe_key_uq')
      .on('stage_changes')
      .columns(['portal_id', 'dedupe_key'])
      .unique()
      .execute();
    await db.schema
      .createIndex('stage_changes_deal_idx')
      .on('stage_changes')
      .columns(['portal_id', 'deal_id', 'occurred_at'])
      .execute();

    await db.schema
      .createTable('webhook_inbox')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('dedupe_key', 'text', (col) => col.notNull())
      .addColumn('subscription_type', 'text')
      .addColumn('object_id', 'text', (col) => col.notNull())
      .addColumn('occurred_at', 'bigint', (col) => col.notNull())
      .addColumn('payload', 'text', (col) => col.notNull())
      .addColumn('received_at', 'bigint', (col) => col.notNull())
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('attempts', 'integer', (col) => col.notNull())
      .addColumn('available_at', 'bigint', (col) => col.notNull())
      .addColumn('claimed_by', 'text')
      .addColumn('lease_until', 'bigint')
      .addColumn('last_error', 'text')
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addUniqueConstraint('webhook_inbox_dedupe_uq', ['portal_id', 'dedupe_key'])
      .execute();
    // Workers look for claimable rows by status and due time, oldest event first.
    await db.schema
      .createIndex('webhook_inbox_claim_idx')
      .on('webhook_inbox')
      .columns(['status', 'available_at', 'occurred_at'])
      .execute();

    await db.schema
      .createTable('action_completions')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('deal_id', 'text', (col) => col.notNull())
      .addColumn('stage_entered_at', 'bigint', (col) => col.notNull())
      .addColumn('step_id', 'text', (col) => col.notNull())
      .addColumn('action_id', 'text', (col) => col.notNull())
      .addColumn('done', 'integer', (col) => col.notNull())
      .addColumn('user_id', 'text')
      .addColumn('user_email', 'text')
      .addColumn('note', 'text')
      .addColumn('at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex('action_completions_deal_idx')
      .on('action_completions')
      .columns(['portal_id', 'deal_id', 'at'])
      .execute();

    await db.schema
      .createTable('reminders')
      .addColumn('reminder_key', 'text', (col) => col.primaryKey())
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('deal_id', 'text', (col) => col.notNull())
      .addColumn('stage_entered_at', 'bigint', (col) => col.notNull())
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('round', 'integer', (col) => col.notNull())
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('hubspot_task_id', 'text')
      .addColumn('attempts', 'integer', (col) => col.notNull())
      .addColumn('last_error', 'text')
      .addColumn('due_at', 'bigint')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex('reminders_deal_idx')
      .on('reminders')
      .columns(['portal_id', 'deal_id', 'status'])
      .execute();

    await db.schema
      .createTable('snoozes')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('deal_id', 'text', (col) => col.notNull())
      .addColumn('stage_entered_at', 'bigint')
      .addColumn('until', 'bigint', (col) => col.notNull())
      .addColumn('reason', 'text')
      .addColumn('user_id', 'text')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex('snoozes_deal_idx')
      .on('snoozes')
      .columns(['portal_id', 'deal_id', 'until'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of [
      'snoozes',
      'reminders',
      'action_completions',
      'webhook_inbox',
      'stage_changes',
      'deals',
      'playbook_versions',
      'portals',
    ]) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};
