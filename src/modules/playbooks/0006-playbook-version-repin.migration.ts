import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Whether a version was published with "apply to deals in progress" (1) or not (0). Pinning needs it
 * to give the same answer whatever order a publish and a deal's stage-change webhook arrive in: a deal
 * that had entered its stage before such a publish follows that version even when the service learns
 * of the move only afterwards. Versions saved before this column count as not re-pinning.
 */
export const playbookVersionRepinMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('playbook_versions')
      .addColumn('repins_deals_in_progress', 'integer', (col) => col.notNull().defaultTo(sql`0`))
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('playbook_versions').dropColumn('repins_deals_in_progress').execute();
  },
};
