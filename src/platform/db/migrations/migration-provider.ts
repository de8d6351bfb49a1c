import type { Migration, MigrationProvider } from 'kysely';
import { initialSchemaMigration } from './0001-initial-schema.migration';
import { dealWritebackMigration } from './0002-deal-writeback.migration';
import { dealStageEntryKeysetMigration } from './0003-deal-stage-entry-keyset.migration';
import { webhookJournalMigration } from './0004-webhook-journal.migration';
import { refusedWebhookEventsMigration } from './0006-refused-webhook-events.migration';

/**
 * Migrations live in code, not in a folder read at run time, so the same list runs from tsx, from the
 * esbuild bundle and under jest. Names sort in the order they must run; never rename one once shipped.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial-schema': initialSchemaMigration,
  '0002-deal-writeback': dealWritebackMigration,
  '0003-deal-stage-entry-keyset': dealStageEntryKeysetMigration,
  '0004-webhook-journal': webhookJournalMigration,
  '0006-refused-webhook-events': refusedWebhookEventsMigration,
};

/** The schema version a running service needs: /readyz refuses a database behind it (or emptied). */
export const LATEST_MIGRATION = Object.keys(MIGRATIONS).sort().at(-1)!;

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
