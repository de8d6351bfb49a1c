/**
 * The row shapes of every table, as Kysely sees them.
 *
 * Portable SQL across SQLite and PostgreSQL: HubSpot ids other than the portal's are text, every time
 * is a bigint of epoch milliseconds (never mixed with ISO text), booleans are 0/1 integers and JSON
 * is stored as text. The PostgreSQL pool parses int8 into numbers, so both dialects read the same
 * types back.
 */
export interface PortalsTable {
  portal_id: number;
  time_zone: string;
  hub_domain: string | null;
  installed_at: number;
  uninstalled_at: number | null;
  updated_at: number;
}

export interface PlaybookVersionsTable {
  portal_id: number;
  version: number;
  /** The playbook document as JSON text. */
  document: string;
  author_user_id: string | null;
  note: string | null;
  created_at: number;
}

export interface DealsTable {
  portal_id: number;
  deal_id: string;
  pipeline_id: string;
  stage_id: string;
  stage_entered_at: number;
  /** The playbook version pinned when the deal entered its current stage. */
  playbook_version: number | null;
  owner_id: string | null;
  /** Record<string, string | null> as JSON text. */
  properties: string;
  /** Record<string, number> as JSON text. */
  associations: string;
  last_activity_at: number | null;
  next_activity_at: number | null;
  /** occurredAt (or observedAt) of the last applied change: the guard that keeps a deal from moving back. */
  last_event_at: number | null;
  deleted_at: number | null;
  /** Bumped on every write: the compare-and-set token of partial updates. */
  revision: number;
  updated_at: number;
}

export interface StageChangesTable {
  id: string;
  portal_id: number;
  deal_id: string;
  pipeline_id: string | null;
  from_stage: string | null;
  to_stage: string;
  occurred_at: number;
  source: string;
  dedupe_key: string | null;
  recorded_at: number;
}

export type InboxStatus = 'pending' | 'processing' | 'done' | 'parked';

export type JournalStatus = 'pending' | 'parked';
export type JournalBodyEncoding = 'utf8' | 'deflate-raw';

export interface WebhookJournalTable {
  /** Sortable: creation order is the order batches are moved into the inbox. */
  id: string;
  received_at: number;
  /**
   * A JSON array of HubSpot webhook events, as received (minus events of portals without an
   * installation): the text itself, or on SQLite those UTF-8 bytes deflated (see body_encoding).
   */
  body: string | Uint8Array;
  body_encoding: JournalBodyEncoding;
  /** Deal events in the body, for backlog metrics without parsing it. */
  event_count: number;
  status: JournalStatus;
  last_error: string | null;
}

export interface RefusedWebhookEventsTable {
  /** sha256 of raw, hex. */
  key: string;
  received_at: number;
  portal_id: number | null;
  reason: string;
  /** The element as received, re-serialised as JSON (a NUL stays escaped as \u0000). */
  raw: string;
}

export interface WebhookInboxTable {
  id: string;
  portal_id: number;
  /** subscriptionId:eventId:objectId:occurredAt, unique per portal (HubSpot's eventId alone is not unique). */
  dedupe_key: string;
  subscription_type: string | null;
  object_id: string;
  occurred_at: number;
  /** The event exactly as HubSpot sent it, as JSON text. */
  payload: string;
  received_at: number;
  status: InboxStatus;
  attempts: number;
  available_at: number;
  claimed_by: string | null;
  lease_until: number | null;
  last_error: string | null;
  updated_at: number;
}

export interface ActionCompletionsTable {
  id: string;
  portal_id: number;
  deal_id: string;
  stage_entered_at: number;
  step_id: string;
  action_id: string;
  done: number;
  user_id: string | null;
  user_email: string | null;
  note: string | null;
  at: number;
}

export type ReminderKind = 'owner' | 'escalation';
export type ReminderStatus = 'intent' | 'sent' | 'failed' | 'completed';

export interface RemindersTable {
  reminder_key: string;
  portal_id: number;
  deal_id: string;
  stage_entered_at: number;
  kind: ReminderKind;
  round: number;
  status: ReminderStatus;
  hubspot_task_id: string | null;
  attempts: number;
  last_error: string | null;
  due_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface SnoozesTable {
  id: string;
  portal_id: number;
  deal_id: string;
  stage_entered_at: number | null;
  until: number;
  reason: string | null;
  user_id: string | null;
  created_at: number;
}

/** Write-back state of one deal: what was last written to HubSpot, and whether a flush is due. */
export interface DealWritebacksTable {
  portal_id: number;
  deal_id: string;
  /** The SOP property values last written, as JSON text; null until the first write. */
  written_values: string | null;
  written_at: number | null;
  /** 1 while the deal waits for a flush. */
  pending: number;
  pending_since: number | null;
  /** Bumped by every mark: a flush clears `pending` only if no mark came in while it ran. */
  mark_revision: number;
  attempts: number;
  last_error: string | null;
  updated_at: number;
}

export interface Database {
  portals: PortalsTable;
  playbook_versions: PlaybookVersionsTable;
  deals: DealsTable;
  stage_changes: StageChangesTable;
  webhook_inbox: WebhookInboxTable;
  webhook_journal: WebhookJournalTable;
  refused_webhook_events: RefusedWebhookEventsTable;
  action_completions: ActionCompletionsTable;
  reminders: RemindersTable;
  snoozes: SnoozesTable;
  deal_writebacks: DealWritebacksTable;
}
