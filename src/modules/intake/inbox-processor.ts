import { findPreviousStageInHistory } from '../../domain';
import { describeError } from '../../platform/errors/app-error';
import { z } from 'zod';
import type { DealSyncResult, DealSyncService } from '../deals';
import { isHubSpotError } from '../../platform/hubspot/hubspot-error';
import type { MetricsRegistry } from '../../platform/observability/metrics.registry';
import type { Logger } from '../../platform/observability/logger';
import type { PortalRegistry } from '../portals';
import { runRebuildableWrites, type Store } from '../../platform/db';
import type { DealStageMove, StageMovesListener } from '../../platform/module';
import type { DealRecord, RecordStageChangeInput } from '../deals';
import type { InboxEvent } from './webhook-inbox.repository';
import { explodeJournalBody } from './webhook-journal';
import type { IntakeActivity } from './intake-activity';

/**
 * Events claimed at once. HubSpot's deals batch read takes 100 ids but its associations batch read takes
 * 1,000: a claim of 500 events (a few hundred deals) needs a few deal reads and one association read per
 * object type, where claims of 100 paid an association read per type every 100 events.
 */
export const INBOX_BATCH_SIZE = 500;
export const INBOX_LEASE_MS = 60_000;
/**
 * Each batch also moves the newest journaled request and claims the events received last (one request's
 * worth, HubSpot sends up to 100 a request): the fresh lane, so that a change sent during or after a
 * burst shows within a batch or two rather than after the whole backlog.
 */
export const FRESH_LANE_EVENTS = 100;
/**
 * Journal rows (webhook requests, up to 100 events each) read per batch; of those, rows are moved until
 * a claim's worth of events (INBOX_BATCH_SIZE) is in the inbox. So claims stay full however small
 * HubSpot's batches are, and on SQLite, where the move runs on the event loop, one move holds it for a
 * few milliseconds (~500 events) rather than ~30 ms (2,000).
 */
export const JOURNAL_ROWS_PER_BATCH = 20;
/** After this many failed attempts (about a day with the backoff below) an event is parked. */
export const MAX_INBOX_ATTEMPTS = 12;
const MAX_BACKOFF_MS = 2 * 60 * 60 * 1000;
/**
 * A poison event (one that fails on its own while the events claimed with it are applied) is parked at
 * this attempt, provided it failed alone on an earlier attempt too: a valid event caught once by a
 * passing fault is not parked for it.
 */
export const POISON_MAX_ATTEMPTS = 3;
/**
 * Extra applies a failing claim may cost a portal in one pass while its poison is looked for: two per
 * halving, enough to find one poison deal among a full claim (500 events, at most 500 deals: 9 halvings).
 */
const MAX_ISOLATION_ATTEMPTS = 2 * Math.ceil(Math.log2(INBOX_BATCH_SIZE));
/**
 * Kept at the head of last_error while the event waits: it tells the next attempt that this event failed
 * alone before (no column needed), and tells an operator reading the parked row why it was given up on.
 */
const FAILED_ALONE = 'failed alone while the events claimed with it were applied: ';

/** What the intake stored: the webhook edge's normalised DealEvent. Parsed again here: a row is an edge too. */
const storedDealEventSchema = z.object({
  kind: z.enum(['stage-change', 'property-change', 'creation', 'deletion']),
  portalId: z.number().int(),
  objectId: z.string().min(1),
  occurredAt: z.number(),
  propertyName: z.string().nullable(),
  propertyValue: z.string().nullable(),
  changeSource: z.string().nullable(),
  sourceId: z.string().nullable(),
  appId: z.number().int().nullish(),
  dedupeKey: z.string(),
});
type StoredDealEvent = z.infer<typeof storedDealEventSchema>;
type ClaimedEvent = { row: InboxEvent; event: StoredDealEvent };

/** A group of a portal's events that could not be applied, and whether it failed alone (see FAILED_ALONE). */
interface FailedGroup {
  events: ClaimedEvent[];
  error: unknown;
  failedAlone: boolean;
}

/** Lets the event loop answer the requests waiting (a chain of resolved awaits never does). */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface InboxProcessorDeps {
  intakeActivity: IntakeActivity;
  store: Store;
  dealSync: DealSyncService;
  portals: PortalRegistry;
  metrics: MetricsRegistry;
  logger: Logger;
  /** Called with the deals a batch touched, after their projection is current (write-back, reminders). */
  onDealsChanged?: (portalId: number, dealIds: string[], now: Date) => Promise<void>;
  /** Called with the batch's stage moves before its events complete: a failure retries the batch. */
  onStageMoves?: StageMovesListener;
}

export interface InboxBatchResult {
  /** Journal rows (acknowledged requests) moved into the inbox before the claim. */
  moved: number;
  claimed: number;
  applied: number;
  dropped: number;
  retried: number;
  parked: number;
}

export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.5 + random() / 2));
}

/**
 * Drains the webhook inbox. Rows are claimed with a lease, so a crashed worker's rows come back; every
 * step is idempotent (the projection is written from HubSpot's truth under a time guard, stage changes
 * are recorded once per event key), so applying a row twice after a crash changes nothing.
 */
export function createInboxProcessor(deps: InboxProcessorDeps) {
  const { store, dealSync, portals, metrics, logger } = deps;
  const processed = metrics.counter('sop_inbox_events_total', 'Webhook inbox events by outcome');
  const journaled = metrics.counter(
    'sop_webhook_journal_events_total',
    'Journaled webhook events moved into the inbox: new, or duplicates of events it already had',
  );
  const parkedBatches = metrics.counter(
    'sop_webhook_journal_parked_total',
    'Journaled webhook batches that no longer parse, kept and parked',
  );

  /** The acknowledged requests' events into the inbox, where redeliveries are recognised and dropped. */
  async function moveJournalToInbox(): Promise<number> {
    const transfer = await runRebuildableWrites(() =>
      store.journal.moveToInbox({
        limit: JOURNAL_ROWS_PER_BATCH,
        maxEvents: INBOX_BATCH_SIZE,
        // The fresh lane: the newest request too, so a change HubSpot sends after a burst is not applied
        // only after the whole backlog (order does not matter: a deal never moves back in time).
        newest: 1,
        explode: explodeJournalBody,
      }),
    );
    if (transfer.inserted > 0) journaled.inc({ outcome: 'new' }, transfer.inserted);
    if (transfer.duplicates > 0) journaled.inc({ outcome: 'duplicate' }, transfer.duplicates);
    if (transfer.parked > 0) {
      parkedBatches.inc({}, transfer.parked);
      logger.error('journaled webhook batches parked: they no longer parse', { count: transfer.parked });
    }
    return transfer.moved + transfer.parked;
  }

  async function processPortal(portalId: number, rows: InboxEvent[], now: Date, result: InboxBatchResult) {
    if (!(await portals.confirmInstalled(portalId))) {
      // Not ours (or uninstalled since): acknowledged at intake, dropped here, never sent to HubSpot.
      await runRebuildableWrites(() =>
        store.inbox.completeInboxEvents(
          rows.map((row) => row.id),
          { now },
        ),
      );
      result.dropped += rows.length;
      processed.inc({ outcome: 'dropped' }, rows.length);
      return;
    }
    const events: ClaimedEvent[] = [];
    for (const row of rows) {
      const parsed = storedDealEventSchema.safeParse(row.payload);
      if (parsed.success && parsed.data.portalId === portalId) {
        events.push({ row, event: parsed.data });
        continue;
      }
      await runRebuildableWrites(() =>
        store.inbox.parkInboxEvent(row.id, 'Stored event does not match the event schema', { now }),
      );
      result.parked += 1;
      processed.inc({ outcome: 'parked' });
    }
    events.sort((a, b) => a.event.occurredAt - b.event.occurredAt);

    const { applied, failed } = await applyIsolatingPoison(portalId, events, now);
    for (const group of failed) await retryOrPark(group.events, group.error, now, result, group.failedAlone);
    await runRebuildableWrites(() =>
      store.inbox.completeInboxEvents(
        applied.map(({ row }) => row.id),
        { now },
      ),
    );
    result.applied += applied.length;
    processed.inc({ outcome: 'applied' }, applied.length);
    await yieldToEventLoop();
    if (deps.onDealsChanged && applied.length > 0) {
      await deps
        .onDealsChanged(portalId, [...new Set(applied.map(({ event }) => event.objectId))], now)
        .catch((error) =>
          logger.warn('post-processing failed; the next sweep catches up', { portalId, error }),
        );
    }
  }

  /**
   * Applies a portal's claimed events together (one deals read for all). When that fails, the claim is
   * halved by deal and each half applied, and a failing half halved again, so one poison deal does not
   * hold back the deals claimed with it: they are applied in this pass. When neither half of the first
   * split applies either, everything is failing (the database, HubSpot) rather than one event, and the
   * halving stops there: an outage costs two extra applies a pass, not one per deal. Errors that would
   * fail any call alike (HubSpot rate-limiting, unavailable or unreachable) are not isolated at all.
   */
  async function applyIsolatingPoison(portalId: number, events: ClaimedEvent[], now: Date) {
    const applied: ClaimedEvent[] = [];
    const failedGroups: Array<{ events: ClaimedEvent[]; error: unknown }> = [];
    // The projection as this pass found it: a half applied after a failed attempt compares against it.
    const before = createBeforeReader(portalId, events);
    let isolationAttempts = 0;

    const attempt = async (group: ClaimedEvent[]) => {
      try {
        await applyEvents(portalId, group, await before(), now);
        applied.push(...group);
        return null;
      } catch (error) {
        return { error };
      }
    };
    const isolate = async (group: ClaimedEvent[], error: unknown): Promise<void> => {
      const deals = groupByDeal(group);
      if (deals.length < 2 || failsAnyCall(error) || isolationAttempts + 2 > MAX_ISOLATION_ATTEMPTS) {
        failedGroups.push({ events: group, error });
        return;
      }
      isolationAttempts += 2;
      const middle = Math.ceil(deals.length / 2);
      const halves = [deals.slice(0, middle).flat(), deals.slice(middle).flat()];
      const failures = [await attempt(halves[0]!), await attempt(halves[1]!)];
      if (failures[0] && failures[1] && applied.length === 0) {
        failedGroups.push({ events: halves[0]!, error: failures[0].error });
        failedGroups.push({ events: halves[1]!, error: failures[1].error });
        return;
      }
      for (const [index, failure] of failures.entries()) {
        if (failure) await isolate(halves[index]!, failure.error);
      }
    };

    const whole = await attempt(events);
    if (whole) await isolate(events, whole.error);
    const failed: FailedGroup[] = failedGroups.map((group) => ({
      ...group,
      // Poison evidence: this deal's events failed on their own while other events of the claim applied.
      failedAlone: applied.length > 0 && !failsAnyCall(group.error) && groupByDeal(group.events).length === 1,
    }));
    return { applied, failed };
  }

  /** The deals' projection before this pass, read once on first use. */
  function createBeforeReader(portalId: number, events: ClaimedEvent[]) {
    let read: Promise<Map<string, DealRecord>> | null = null;
    return () => {
      read ??= store.deals
        .getDeals(portalId, dealsToRead(events).toRead)
        .then((deals) => new Map(deals.map((deal) => [deal.dealId, deal])));
      // A failed read is tried again by the next attempt rather than failing every half with it.
      read.catch(() => {
        read = null;
      });
      return read;
    };
  }

  /** Applies one group of a portal's events; throws when any part fails (nothing is completed then). */
  async function applyEvents(
    portalId: number,
    events: ClaimedEvent[],
    before: Map<string, DealRecord>,
    now: Date,
  ) {
    const { toRead, deletedAt } = dealsToRead(events);
    const synced = toRead.length > 0 ? await dealSync.syncDeals(portalId, toRead, now) : null;
    await yieldToEventLoop();
    for (const [dealId, occurredAt] of deletedAt) {
      await runRebuildableWrites(() =>
        store.deals.markDealDeleted(portalId, dealId, new Date(occurredAt), { now }),
      );
    }
    await recordStageChanges(portalId, events, before, synced, now);
    await yieldToEventLoop();
    if (deps.onStageMoves) {
      await deps.onStageMoves(portalId, listStageMoves(events, before), now, {
        currentDeals: new Map(synced?.deals.map((deal) => [deal.dealId, deal])),
        stageHistories: synced?.stageHistories ?? new Map(),
      });
    }
    await yieldToEventLoop();
  }

  /**
   * The audit trail's "from" is the stage the deal left. HubSpot's dealstage history says it, also for a
   * deal the service never saw and for events delayed or out of order. Without a matching history entry,
   * the projection before this batch and then each event in turn stand in.
   */
  async function recordStageChanges(
    portalId: number,
    events: Array<{ event: StoredDealEvent }>,
    before: Map<string, { stageId: string; pipelineId: string }>,
    synced: Pick<DealSyncResult, 'deals' | 'stageHistories'> | null,
    now: Date,
  ) {
    // A never-seen deal's pipeline is the one HubSpot just returned.
    const pipelineOf = new Map(synced?.deals.map((deal) => [deal.dealId, deal.pipelineId]));
    for (const [dealId, deal] of before) pipelineOf.set(dealId, deal.pipelineId);
    const lastStage = new Map([...before].map(([dealId, deal]) => [dealId, deal.stageId]));
    const changes: RecordStageChangeInput[] = [];
    for (const { event } of events) {
      if (event.kind !== 'stage-change' || !event.propertyValue) continue;
      const previous = lastStage.get(event.objectId) ?? null;
      lastStage.set(event.objectId, event.propertyValue);
      const fromStage =
        findPreviousStageInHistory(
          synced?.stageHistories.get(event.objectId) ?? [],
          event.propertyValue,
          new Date(event.occurredAt),
        ) ?? (previous === event.propertyValue ? null : previous);
      changes.push({
        portalId,
        dealId: event.objectId,
        pipelineId: pipelineOf.get(event.objectId) ?? null,
        fromStage,
        toStage: event.propertyValue,
        occurredAt: new Date(event.occurredAt),
        source: event.changeSource ?? 'WEBHOOK',
        dedupeKey: event.dedupeKey,
      });
    }
    await runRebuildableWrites(() => store.stageChanges.recordStageChanges(changes, { now }));
  }

  function listStageMoves(
    events: Array<{ event: StoredDealEvent }>,
    before: Map<string, DealRecord>,
  ): DealStageMove[] {
    return events.flatMap(({ event }) => {
      if (event.kind !== 'stage-change' || !event.propertyValue) return [];
      const deal = before.get(event.objectId);
      return [
        {
          dealId: event.objectId,
          toStage: event.propertyValue,
          occurredAt: new Date(event.occurredAt),
          changeSource: event.changeSource,
          sourceId: event.sourceId,
          appId: event.appId ?? null,
          before: deal
            ? {
                pipelineId: deal.pipelineId,
                stageId: deal.stageId,
                stageEnteredAt: deal.stageEnteredAt,
                playbookVersion: deal.playbookVersion,
              }
            : null,
        },
      ];
    });
  }

  async function retryOrPark(
    events: Array<{ row: InboxEvent }>,
    error: unknown,
    now: Date,
    result: InboxBatchResult,
    failedAlone = false,
  ) {
    const message = describeError(error);
    // A HubSpot answer that retrying cannot change (400, 403...) makes the events poison right away.
    const permanent = isHubSpotError(error) && !error.retryable;
    for (const { row } of events) {
      const failedAloneBefore = row.lastError?.startsWith(FAILED_ALONE) ?? false;
      const poison = failedAlone && failedAloneBefore && row.attempts >= POISON_MAX_ATTEMPTS;
      // The mark stays through attempts that say nothing either way (an outage, a claim of one deal).
      const reason = failedAlone || failedAloneBefore ? `${FAILED_ALONE}${message}` : message;
      if (permanent || poison || row.attempts >= MAX_INBOX_ATTEMPTS) {
        await runRebuildableWrites(() => store.inbox.parkInboxEvent(row.id, reason, { now }));
        result.parked += 1;
        processed.inc({ outcome: 'parked' });
        if (poison) logger.error('inbox event parked: it fails alone', { eventId: row.id, error: reason });
      } else {
        await runRebuildableWrites(() =>
          store.inbox.retryInboxEvent(row.id, reason, new Date(now.getTime() + backoffMs(row.attempts)), {
            now,
          }),
        );
        result.retried += 1;
        processed.inc({ outcome: 'retried' });
      }
    }
    logger.warn('inbox events will be retried', { count: events.length, error: message });
  }

  return {
    /** Moves journaled requests into the inbox, then claims and applies one batch; returns what happened. */
    async processBatch(options: { workerId: string; now: Date; limit?: number; leaseMs?: number }) {
      const moved = await moveJournalToInbox();
      await yieldToEventLoop();
      const rows = await runRebuildableWrites(() =>
        store.inbox.claimInboxEvents({
          workerId: options.workerId,
          limit: options.limit ?? INBOX_BATCH_SIZE,
          now: options.now,
          leaseMs: options.leaseMs ?? INBOX_LEASE_MS,
          newest: FRESH_LANE_EVENTS,
        }),
      );
      const result: InboxBatchResult = {
        moved,
        claimed: rows.length,
        applied: 0,
        dropped: 0,
        retried: 0,
        parked: 0,
      };
      const byPortal = new Map<number, InboxEvent[]>();
      for (const row of rows) {
        const portalRows = byPortal.get(row.portalId);
        if (portalRows) portalRows.push(row);
        else byPortal.set(row.portalId, [row]);
      }
      for (const [portalId, portalRows] of byPortal) {
        // One portal's trouble never holds up another's events.
        await processPortal(portalId, portalRows, options.now, result).catch(async (error) => {
          logger.error('inbox batch failed', { portalId, error });
          await retryOrPark(
            portalRows.map((row) => ({ row })),
            error,
            options.now,
            result,
          );
        });
      }
      return result;
    },
  };
}

export type InboxProcessor = ReturnType<typeof createInboxProcessor>;

/** The deals to read from HubSpot (a deal deleted in the claim is not read) and the deletions. */
function dealsToRead(events: ClaimedEvent[]) {
  const deletedAt = new Map<string, number>();
  for (const { event } of events) {
    if (event.kind === 'deletion') deletedAt.set(event.objectId, event.occurredAt);
  }
  const toRead = [
    ...new Set(
      events
        .filter(({ event }) => event.kind !== 'deletion')
        .map(({ event }) => event.objectId)
        .filter((dealId) => !deletedAt.has(dealId)),
    ),
  ];
  return { toRead, deletedAt };
}

/** A deal's events stay together and in order: isolation splits between deals, never inside one. */
function groupByDeal(events: ClaimedEvent[]): ClaimedEvent[][] {
  const byDeal = new Map<string, ClaimedEvent[]>();
  for (const claimed of events) {
    const group = byDeal.get(claimed.event.objectId);
    if (group) group.push(claimed);
    else byDeal.set(claimed.event.objectId, [claimed]);
  }
  return [...byDeal.values()];
}

/** HubSpot rate-limiting, unavailable or unreachable: every call fails alike, a smaller one included. */
function failsAnyCall(error: unknown): boolean {
  return isHubSpotError(error) && error.retryable && error.status !== 500;
}
