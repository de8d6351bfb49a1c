import type { Kysely, Migration } from 'kysely';

/**
 * The history the outcomes need and the managers' capacity plan (DESIGN.md §7 "Insights"):
 * - insight_closed_deals: one row per closed deal (won or lost, amount, close date, cycle time, the
 *   playbook version it closed under), read by window and by close month through their indexes;
 * - insight_closed_deal_steps: per closed deal and step, the days spent and whether its required actions
 *   were done before the deal left it;
 * - insight_pending_deals: deals whose history must be (re)read from HubSpot, drained by a job, so the
 *   inbox never waits for HubSpot;
 * - insight_capacity: a manager's capacity per month, against which demand is planned.
 * Plus an index on deals for the per-pipeline open-deal counts (no full scan of other pipelines).
 */
export const insightsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('insight_closed_deals')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('deal_id', 'text', (col) => col.notNull())
      .addColumn('pipeline_id', 'text', (col) => col.notNull())
      .addColumn('owner_id', 'text')
      .addColumn('won', 'integer', (col) => col.notNull())
      .addColumn('amount', 'double precision')
      .addColumn('close_date', 'bigint', (col) => col.notNull())
      .addColumn('close_month', 'text', (col) => col.notNull())
      .addColumn('closed_at', 'bigint', (col) => col.notNull())
      .addColumn('cycle_days', 'double precision')
      .addColumn('playbook_version', 'integer')
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('insight_closed_deals_pk', ['portal_id', 'deal_id'])
      .execute();
    await db.schema
      .createIndex('insight_closed_deals_window_idx')
      .on('insight_closed_deals')
      .columns(['portal_id', 'pipeline_id', 'closed_at'])
      .execute();
    await db.schema
      .createIndex('insight_closed_deals_month_idx')
      .on('insight_closed_deals')
      .columns(['portal_id', 'pipeline_id', 'close_month'])
      .execute();

    await db.schema
      .createTable('insight_closed_deal_steps')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('deal_id', 'text', (col) => col.notNull())
      .addColumn('step_id', 'text', (col) => col.notNull())
      .addColumn('days', 'double precision', (col) => col.notNull())
      // 1 done, 0 not done, null: left before the app was in use.
      .addColumn('completed', 'integer')
      .addPrimaryKeyConstraint('insight_closed_deal_steps_pk', ['portal_id', 'deal_id', 'step_id'])
      .execute();

    await db.schema
      .createTable('insight_pending_deals')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('deal_id', 'text', (col) => col.notNull())
      .addColumn('marked_at', 'bigint', (col) => col.notNull())
      .addColumn('attempts', 'integer', (col) => col.notNull())
      .addPrimaryKeyConstraint('insight_pending_deals_pk', ['portal_id', 'deal_id'])
      .execute();

    await db.schema
      .createTable('insight_capacity')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('month', 'text', (col) => col.notNull())
      .addColumn('amount', 'double precision', (col) => col.notNull())
      .addColumn('updated_by', 'text')
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('insight_capacity_pk', ['portal_id', 'month'])
      .execute();

    await db.schema
      .createIndex('deals_insights_pipeline_stage_idx')
      .on('deals')
      .columns(['portal_id', 'pipeline_id', 'stage_id', 'owner_id'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('deals_insights_pipeline_stage_idx').execute();
    await db.schema.dropTable('insight_capacity').execute();
    await db.schema.dropTable('insight_pending_deals').execute();
    await db.schema.dropTable('insight_closed_deal_steps').execute();
    await db.schema.dropTable('insight_closed_deals').execute();
  },
};
