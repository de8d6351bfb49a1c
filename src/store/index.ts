// The store's public face: the service imports from here, never from a repository file directly.
export { createStore, StoreConfigError, type Store } from './create-store';
export type { StoreDialect } from './store-context';
export type { InboxStatus, ReminderKind, ReminderStatus } from './database.types';
export type { Portal, UpsertPortalInput, PortalRepository } from './portal.repository';
export type { PlaybookVersion, SavePlaybookOptions, PlaybookRepository } from './playbook.repository';
export type {
  DealRecord,
  DealWriteOutcome,
  DealWriteResult,
  DealStateChange,
  DealRepository,
  StageEntryCursor,
  StageEntryPage,
  StallCandidate,
} from './deal.repository';
export type { StageChange, RecordStageChangeInput, StageChangeRepository } from './stage-change.repository';
export {
  buildInboxDedupeKey,
  INBOX_STATUSES,
  type InboxEvent,
  type InboxEventInput,
  type ClaimInboxOptions,
  type WebhookInboxRepository,
} from './webhook-inbox.repository';
export type {
  ExplodeJournalBody,
  JournalBatchInput,
  JournalCounts,
  JournalTransfer,
  MoveToInboxOptions,
  WebhookJournalRepository,
} from './webhook-journal.repository';
export {
  foldActionCompletions,
  type ActionCompletion,
  type AppendActionCompletionInput,
  type ScopedActionState,
  type ActionCompletionFilter,
  type ActionCompletionRepository,
} from './action-completion.repository';
export {
  buildReminderKey,
  type Reminder,
  type ReminderIdentity,
  type RecordReminderIntentInput,
  type ReminderRepository,
} from './reminder.repository';
export type { Snooze, AddSnoozeInput, SnoozeRepository } from './snooze.repository';
export type { ExclusiveRun, WithExclusiveLock } from './exclusive-lock';
export type {
  CompletedWriteback,
  DealWritebackRepository,
  PendingWriteback,
} from './deal-writeback.repository';
export type { AuditRecords, AuditTrailFilter, AuditTrailRepository } from './audit-trail.repository';
