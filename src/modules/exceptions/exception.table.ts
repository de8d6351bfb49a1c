import type { Kysely, Migration } from 'kysely';

/** One row per (portal, deal, stage entry left) with the SOP unmet: DESIGN.md §7's exception. */
export interface DealExceptionsTable {
  id: string;
  portal_id: number;
  deal_id: string;
  /** buildExceptionKey: the stage entry left. Unique per portal, so a redelivered event records nothing. */
  exception_key: string;
  from_stage: string;
  from_entered_at: number;
  to_stage: string;
  moved_at: number;
  moved_by_source: string;
  moved_by_user_id: string | null;
  /** The deal's owner when the move was recorded: whose list the exception appears in. */
  owner_id: string | null;
  step_id: string;
  mode: string;
  status: string;
  /** OpenItem[] as JSON text. */
  open_items: string;
  /** {userId, email, reason, at} as JSON text, once justified. */
  justification: string | null;
  /** {userId, email, decision, note?, at} as JSON text, once decided. */
  decision: string | null;
  playbook_version: number | null;
  created_at: number;
  updated_at: number;
}

export const dealExceptionsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('deal_exceptions')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('deal_id', 'text', (col) => col.notNull())
      .addColumn('exception_key', 'text', (col) => col.notNull())
      .addColumn('from_stage', 'text', (col) => col.notNull())
      .addColumn('from_entered_at', 'bigint', (col) => col.notNull())
      .addColumn('to_stage', 'text', (col) => col.notNull())
      .addColumn('moved_at', 'bigint', (col) => col.notNull())
      .addColumn('moved_by_source', 'text', (col) => col.notNull())
      .addColumn('moved_by_user_id', 'text')
      .addColumn('owner_id', 'text')
      .addColumn('step_id', 'text', (col) => col.notNull())
      .addColumn('mode', 'text', (col) => col.notNull())
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('open_items', 'text', (col) => col.notNull())
      .addColumn('justification', 'text')
      .addColumn('decision', 'text')
      .addColumn('playbook_version', 'integer')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addUniqueConstraint('deal_exceptions_key_uq', ['portal_id', 'exception_key'])
      .execute();
    // The list pages newest first (keyset on moved_at, id); the card reads one deal's.
    await db.schema
      .createIndex('deal_exceptions_moved_idx')
      .on('deal_exceptions')
      .columns(['portal_id', 'moved_at', 'id'])
      .execute();
    await db.schema
      .createIndex('deal_exceptions_deal_idx')
      .on('deal_exceptions')
      .columns(['portal_id', 'deal_id'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('deal_exceptions').execute();
  },
};
