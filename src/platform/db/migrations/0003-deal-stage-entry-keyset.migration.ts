import type { Kysely, Migration } from 'kysely';

/**
 * The stall sweep pages its candidates by (stage_entered_at, deal_id): with deal_id in the index, the
 * database walks the index in page order and stops after a page, instead of sorting every earlier
 * candidate again for each page (quadratic at a million deals). The index of 0001 on
 * (portal_id, stage_entered_at) is a prefix of this one, so it goes: one index less to keep up on writes.
 */
export const dealStageEntryKeysetMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createIndex('deals_portal_stage_entered_deal_idx')
      .on('deals')
      .columns(['portal_id', 'stage_entered_at', 'deal_id'])
      .execute();
    await db.schema.dropIndex('deals_portal_stage_entered_idx').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createIndex('deals_portal_stage_entered_idx')
      .on('deals')
      .columns(['portal_id', 'stage_entered_at'])
      .execute();
    await db.schema.dropIndex('deals_portal_stage_entered_deal_idx').execute();
  },
};
