import type { Kysely, Migration } from 'kysely';

/**
 * OAuth installations (DESIGN.md §7): per portal, who installed the app, with which scopes, and its
 * tokens sealed (token-cipher.ts); and the install flow's single-use states, in the database so that
 * any instance can finish a flow another one started; and the per-portal HubSpot request budget that
 * instances on one PostgreSQL database share (rate-budget.repository.ts).
 */
export const oauthInstallationsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('installations')
      .addColumn('portal_id', 'bigint', (col) => col.primaryKey())
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('scopes', 'text', (col) => col.notNull())
      .addColumn('installed_by_user_id', 'bigint')
      .addColumn('installed_by_email', 'text')
      .addColumn('refresh_token', 'text', (col) => col.notNull())
      .addColumn('access_token', 'text')
      .addColumn('access_token_expires_at', 'bigint')
      .addColumn('installed_at', 'bigint', (col) => col.notNull())
      .addColumn('uninstalled_at', 'bigint')
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema
      .createTable('oauth_states')
      .addColumn('state', 'text', (col) => col.primaryKey())
      .addColumn('expires_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema
      .createTable('hubspot_rate_log')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('started_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex('hubspot_rate_log_portal_started')
      .on('hubspot_rate_log')
      .columns(['portal_id', 'started_at'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('hubspot_rate_log').execute();
    await db.schema.dropTable('oauth_states').execute();
    await db.schema.dropTable('installations').execute();
  },
};
