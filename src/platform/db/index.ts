// The store's public face: the service imports from here, never from a repository file directly.
export { createStore, StoreConfigError, type Store } from './create-store';
export type { StoreDialect } from './store-context';
export type { InboxStatus, ReminderKind, ReminderStatus } from './database.types';
export type { Portal, UpsertPortalInput, PortalRepository } from '../../modules/portals/portal.repository';
export type {
  PlaybookVersion,
  SavePlaybookOptions,
  PlaybookRepository,
} from '../../modules/playbooks/playbook.repository';
export type {
  DealRecord,
  DealWriteOutcome,
  DealWriteResult,
  DealStateChange,
  DealRepository,
  StageEntryCursor,
  StageEntryPage,
  StallCandidate,
} from '../../modules/deals/deal.repository';
export type {
  StageChange,
  RecordStageChangeInput,
  StageChangeRepository,
} from '../../modules/deals/stage-change.repository';
export {
  buildInboxDedupeKey,
  INBOX_STATUSES,
  type InboxEvent,
  type InboxEventInput,
  type ClaimInboxOptions,
  type WebhookInboxRepository,
} from '../../modules/intake/webhook-inbox.repository';
export type {
  ExplodeJournalBody,
  JournalBatchInput,
  JournalCounts,
  JournalTransfer,
  MoveToInboxOptions,
  WebhookJournalRepository,
} from '../../modules/intake/webhook-journal.repository';
export type {
  RefusedWebhookEvent,
  RefusedWebhookEventRepository,
} from '../../modules/intake/refused-webhook-event.repository';
export {
  foldActionCompletions,
  type ActionCompletion,
  type AppendActionCompletionInput,
  type ScopedActionState,
  type ActionCompletionFilter,
  type ActionCompletionRepository,
} from '../../modules/checklist/action-completion.repository';
export {
  buildReminderKey,
  type Reminder,
  type ReminderIdentity,
  type RecordReminderIntentInput,
  type ReminderRepository,
} from '../../modules/reminders/reminder.repository';
export type { Snooze, AddSnoozeInput, SnoozeRepository } from '../../modules/snoozes/snooze.repository';
export type { ExclusiveRun, WithExclusiveLock } from './exclusive-lock';
export type {
  CompletedWriteback,
  DealWritebackRepository,
  PendingWriteback,
} from '../../modules/writeback/deal-writeback.repository';
export type {
  AuditRecords,
  AuditTrailFilter,
  AuditTrailRepository,
} from '../../modules/audit/audit-trail.repository';
