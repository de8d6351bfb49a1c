import type { Kysely, Migration } from 'kysely';

/**
 * Snoozes keep who gave them as action ticks do: the user id and the email the signed card request
 * carried, so the audit trail names a person without a HubSpot lookup. Older snoozes keep a null email.
 */
export const snoozeUserEmailMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('snoozes').addColumn('user_email', 'text').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('snoozes').dropColumn('user_email').execute();
  },
};
