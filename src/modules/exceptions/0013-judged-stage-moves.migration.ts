import type { Kysely, Migration } from 'kysely';

/**
 * Every stage move exception detection judged, exception or not: the enforcement preview judges them
 * again against a candidate playbook. The stage history alone does not say who moved the deal (an
 * exemption) nor which checklist the move left.
 */
export const judgedStageMovesMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('judged_stage_moves')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('move_key', 'text', (col) => col.notNull())
      .addColumn('deal_id', 'text', (col) => col.notNull())
      .addColumn('from_stage', 'text', (col) => col.notNull())
      .addColumn('checklist_entered_at', 'bigint', (col) => col.notNull())
      .addColumn('to_stage', 'text', (col) => col.notNull())
      .addColumn('moved_at', 'bigint', (col) => col.notNull())
      .addColumn('moved_by_source', 'text', (col) => col.notNull())
      .addColumn('moved_by_user_id', 'text')
      .addPrimaryKeyConstraint('judged_stage_moves_pk', ['portal_id', 'move_key'])
      .execute();
    // The preview reads one portal's recent moves.
    await db.schema
      .createIndex('judged_stage_moves_moved_idx')
      .on('judged_stage_moves')
      .columns(['portal_id', 'moved_at'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('judged_stage_moves').execute();
  },
};
