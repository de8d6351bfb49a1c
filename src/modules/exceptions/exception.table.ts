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
  /** For `justify`: when the owner's reason is due (business hours, portal's zone); null otherwise. */
  justify_due_at: number | null;
  created_at: number;
  updated_at: number;
}

export type ExceptionOutboxKind =
  'justify-overdue-task' | 'move-back' | 'revert-owner-task' | 'timeline-note';
/** cancelled: the call no longer applies (the deal moved elsewhere meanwhile); it is never made. */
export type ExceptionOutboxStatus = 'intent' | 'sent' | 'failed' | 'cancelled';

/**
 * What the exceptions module asks of HubSpot, recorded before the call under a deterministic key
 * (exception, kind): a crash or a lost answer leaves the intent, and the next run finds the HubSpot
 * object by its marker before it ever creates a second one.
 */
export interface ExceptionOutboxTable {
  key: string;
  portal_id: number;
  exception_id: string;
  kind: ExceptionOutboxKind;
  status: ExceptionOutboxStatus;
  hubspot_id: string | null;
  attempts: number;
  last_error: string | null;
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
      .addColumn('justify_due_at', 'bigint')
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
    // The deadline job reads open justifications by due time, across portals.
    await db.schema
      .createIndex('deal_exceptions_justify_due_idx')
      .on('deal_exceptions')
      .columns(['status', 'justify_due_at'])
      .execute();
    await db.schema
      .createTable('exception_outbox')
      .addColumn('key', 'text', (col) => col.primaryKey())
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('exception_id', 'text', (col) => col.notNull())
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('hubspot_id', 'text')
      .addColumn('attempts', 'integer', (col) => col.notNull())
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('exception_outbox').execute();
    await db.schema.dropTable('deal_exceptions').execute();
  },
};
