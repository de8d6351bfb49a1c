import type { Clock } from '../../platform/clock';
import type { DealRecord } from '../deals';
import type { PropertyHistoryValue } from '../../domain';
import { SQLITE_BUSY_TIMEOUT_MS } from '../../platform/db';
import { defineModule, type DealsChangedListener, type StageMovesListener } from '../../platform/module';
import { createInboxProcessor, type InboxProcessorDeps } from './inbox-processor';
import { createIntakeActivity } from './intake-activity';
import { refusedWebhookEventsMigration } from './0010-refused-webhook-events.migration';
import { journalBodyLz4Migration } from './0017-journal-body-lz4.migration';
import { parkedEventsCommand } from './parked-events.command';
import { refusedEventsCommand } from './refused-events.command';
import {
  createRefusedWebhookEventRepository,
  type RefusedWebhookEventRepository,
  type RefusedWebhookEventsTable,
} from './refused-webhook-event.repository';
import { createWebhookInboxRepository, type WebhookInboxRepository } from './webhook-inbox.repository';
import { purgeWebhookPortalData } from './webhook-portal-purge';
import { createWebhookJournalRepository, type WebhookJournalRepository } from './webhook-journal.repository';

export {
  INBOX_LEASE_MS,
  MAX_INBOX_ATTEMPTS,
  type InboxBatchResult,
  type InboxProcessor,
} from './inbox-processor';
export { createIntakeActivity, INTAKE_BUSY_WINDOW_MS, type IntakeActivity } from './intake-activity';
export { createStoreBatch } from './webhook-inbox.wiring';
export { explodeJournalBody } from './webhook-journal';
export {
  INBOX_STATUSES,
  type ClaimInboxOptions,
  type InboxEvent,
  type InboxEventInput,
  type ParkedInboxEvent,
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

declare module '../../platform/db/store' {
  interface StoreRepositories {
    inbox: WebhookInboxRepository;
    /** Acknowledged webhook batches, whole, until the inbox processor moves their events into the inbox. */
    journal: WebhookJournalRepository;
    /** Webhook events the edge refused, kept raw with the reason for operators. */
    refusedEvents: RefusedWebhookEventRepository;
  }
}

declare module '../../platform/module' {
  interface StageMovesContext {
    /**
     * The moved deals as the projection holds them after the batch's HubSpot read (every deal it read,
     * whether the read changed it or not); a deal deleted in the batch, or missing from HubSpot, is not here.
     */
    currentDeals: ReadonlyMap<string, DealRecord>;
    /**
     * HubSpot's dealstage history of the deals the batch read, as read (any order): it shows moves whose
     * webhooks have not arrived yet, which the recorded stage changes lack.
     */
    stageHistories: ReadonlyMap<string, readonly PropertyHistoryValue[]>;
  }
}

declare module '../../platform/db/database.types' {
  interface Database {
    refused_webhook_events: RefusedWebhookEventsTable;
  }
}

/** Three days: well past HubSpot's retry window of about a day. */
export const INBOX_RETENTION_MS = 3 * 24 * 60 * 60 * 1000;
const INBOX_RETENTION_SWEEP_MS = 60 * 60 * 1000;

/**
 * Acknowledged webhooks, from the journal the edge writes to the deal projection: the inbox processor
 * moves, deduplicates, claims and applies them, and tells the other modules which deals changed.
 */
export const intakeModule = defineModule({
  name: 'intake',
  migrations: {
    '0010-refused-webhook-events': refusedWebhookEventsMigration,
    '0017-journal-body-lz4': journalBodyLz4Migration,
  },
  repositories: (ctx, lifecycle) => {
    const journal = createWebhookJournalRepository(ctx, { busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS });
    // The writer thread first: the appends it holds are answered before the connection goes.
    lifecycle.onClose(() => journal.close());
    lifecycle.onPurgePortal(purgeWebhookPortalData);
    return {
      inbox: createWebhookInboxRepository(ctx),
      journal,
      refusedEvents: createRefusedWebhookEventRepository(ctx),
    };
  },
  create: (
    deps: Omit<InboxProcessorDeps, 'onDealsChanged' | 'onStageMoves' | 'intakeActivity'> & {
      dealsChanged: DealsChangedListener;
      stageMoves: StageMovesListener;
      clock: Clock;
    },
  ) => {
    const intakeActivity = createIntakeActivity();
    return {
      intakeActivity,
      inbox: createInboxProcessor({
        ...deps,
        intakeActivity,
        onDealsChanged: deps.dealsChanged,
        onStageMoves: deps.stageMoves,
      }),
    };
  },
  jobs: ({ store, clock }) => [
    {
      // Done events are kept past HubSpot's retry window (about a day): their keys catch late redeliveries.
      name: 'inbox-retention',
      intervalMs: INBOX_RETENTION_SWEEP_MS,
      run: async () => {
        await store.inbox.deleteDoneInboxEvents(new Date(clock.now().getTime() - INBOX_RETENTION_MS));
      },
    },
  ],
  commands: [refusedEventsCommand, parkedEventsCommand],
});
