import { computeSopPropertyValues, listChangedSopProperties, type SopPropertyValues } from '../../domain';
import { countOpenExceptions } from '../exceptions';
import { isAppError, describeError } from '../../platform/errors/app-error';
import type { DealGuidanceView, GuidanceService } from '../guidance';
import { isHubSpotError } from '../../platform/hubspot/hubspot-error';
import type { DealUpdate } from '../../platform/hubspot/deals.api';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { MetricsRegistry } from '../../platform/observability/metrics.registry';
import type { Logger } from '../../platform/observability/logger';
import type { PortalRegistry } from '../portals';
import type { Store } from '../../platform/db';
import type { CompletedWriteback, PendingWriteback } from './deal-writeback.repository';
import { SOP_DEAL_PROPERTIES, SOP_PROPERTY_GROUP } from './sop-deal-properties';

/**
 * Keeps the SOP properties of deals current in HubSpot. Request paths only mark deals (a database
 * write); a flush, run in the background, computes each marked deal's values, sends only those that
 * changed since the last write, in batches, and clears the mark. A failed write keeps the mark, so the
 * next flush tries again; writing the same values twice is harmless, which is what makes retries safe.
 */
export const WRITEBACK_BATCH_SIZE = 100; // HubSpot's batch update limit
/** Marked deals handled per flush run; the rest wait for the next run (the periodic task, every few seconds). */
export const WRITEBACK_DEALS_PER_FLUSH = 500;
export const WRITEBACK_FLUSH_INTERVAL_MS = 2_000;

export interface WritebackFlushResult {
  /** Marked deals looked at. */
  deals: number;
  /** Deals whose changed values HubSpot accepted. */
  written: number;
  /** Deals whose values were already those in HubSpot: no call. */
  unchanged: number;
  /** Deals HubSpot or the portal no longer has: dropped. */
  gone: number;
  /** Deals left marked for the next flush. */
  failed: number;
  /** Batch update calls made to HubSpot. */
  updateCalls: number;
}

const WRITEBACK_LOCK_NAME = 'sop-writeback-flush';

/** Clears a deal's mark without writing anything: its values need no write, or it is gone. */
const clearMark = (entry: PendingWriteback): CompletedWriteback => ({
  dealId: entry.dealId,
  markRevision: entry.markRevision,
  writtenValues: null,
});

const emptyResult = (): WritebackFlushResult => ({
  deals: 0,
  written: 0,
  unchanged: 0,
  gone: 0,
  failed: 0,
  updateCalls: 0,
});

export interface DealWritebackService {
  markDealsChanged(portalId: number, dealIds: readonly string[], now: Date): Promise<void>;
  /** Writes what changed for the marked deals (of one portal when given). Never throws for HubSpot trouble. */
  flush(now: Date, options?: { portalId?: number }): Promise<WritebackFlushResult>;
}

interface PlannedUpdate {
  pending: PendingWriteback;
  values: SopPropertyValues;
  changed: Partial<SopPropertyValues>;
}

export function createDealWritebackService(deps: {
  store: Store;
  hubspot: Pick<HubSpotApis, 'deals' | 'properties'>;
  guidance: GuidanceService;
  portals: PortalRegistry;
  metrics: MetricsRegistry;
  logger: Logger;
}): DealWritebackService {
  const { store, hubspot, guidance, portals, metrics, logger } = deps;
  const outcomes = metrics.counter(
    'sop_writeback_deals_total',
    'Deals handled by the write-back, by outcome',
  );
  // Once per portal per process: the properties rarely disappear, and a failed attempt is forgotten.
  const ensured = new Map<number, Promise<unknown>>();
  // One flush at a time in this process: the periodic task and a direct call must not write a deal twice.
  let queue: Promise<unknown> = Promise.resolve();

  const ensureProperties = (portalId: number) => {
    let ensuring = ensured.get(portalId);
    if (!ensuring) {
      ensuring = hubspot.properties.ensureDealProperties(portalId, SOP_PROPERTY_GROUP, SOP_DEAL_PROPERTIES);
      ensuring.catch(() => ensured.delete(portalId));
      ensured.set(portalId, ensuring);
    }
    return ensuring;
  };

  async function planPortal(
    portalId: number,
    pending: PendingWriteback[],
    now: Date,
    result: WritebackFlushResult,
  ) {
    const done: CompletedWriteback[] = [];
    const failed: string[] = [];
    const updates: PlannedUpdate[] = [];
    // The projected deals' guidance read together (a handful of queries for the flush, not four a deal);
    // a deal left out of it (unknown, deleted, to be read again) takes the card's own path. If reading
    // them together fails, every deal takes that path, so one deal's trouble stays its own.
    const views = await guidance
      .listGuidance(
        portalId,
        pending.map((entry) => entry.dealId),
        now,
      )
      .catch((error: unknown) => {
        logger.warn('write-back could not read the flush together; reading deal by deal', {
          portalId,
          error,
        });
        return new Map<string, DealGuidanceView>();
      });
    for (const entry of pending) {
      try {
        const view = views.get(entry.dealId) ?? (await guidance.getGuidance(portalId, entry.dealId, now));
        const values = computeSopPropertyValues(view, countOpenExceptions(view.exceptions));
        const changed = listChangedSopProperties(entry.writtenValues, values);
        if (Object.keys(changed).length === 0) {
          done.push(clearMark(entry));
          result.unchanged += 1;
        } else {
          updates.push({ pending: entry, values, changed });
        }
      } catch (error) {
        if (isAppError(error) && error.code === 'NOT_FOUND') {
          done.push(clearMark(entry));
          result.gone += 1;
        } else {
          // One deal's trouble never holds up the others; it stays marked.
          logger.warn('write-back could not evaluate a deal', { portalId, dealId: entry.dealId, error });
          await store.writebacks.recordWritebackFailure(portalId, [entry.dealId], describeError(error), now);
          failed.push(entry.dealId);
        }
      }
    }
    result.failed += failed.length;
    return { done, updates };
  }

  async function writeBatch(
    portalId: number,
    batch: PlannedUpdate[],
    now: Date,
    result: WritebackFlushResult,
  ) {
    const updates: DealUpdate[] = batch.map(({ pending, changed }) => ({
      id: pending.dealId,
      properties: { ...changed },
    }));
    try {
      result.updateCalls += 1;
      const { missingIds } = await hubspot.deals.batchUpdate(portalId, updates);
      const missing = new Set(missingIds);
      await store.writebacks.completeWritebacks(
        portalId,
        batch.map(({ pending, values }) => ({
          dealId: pending.dealId,
          markRevision: pending.markRevision,
          writtenValues: missing.has(pending.dealId) ? null : { ...values },
        })),
        now,
      );
      result.gone += missing.size;
      result.written += batch.length - missing.size;
    } catch (error) {
      // A refusal retrying cannot fix (e.g. someone deleted our properties) makes the next flush check them again.
      if (isHubSpotError(error) && !error.retryable) ensured.delete(portalId);
      logger.warn('write-back batch failed; the deals stay marked', { portalId, deals: batch.length, error });
      await store.writebacks.recordWritebackFailure(
        portalId,
        batch.map(({ pending }) => pending.dealId),
        describeError(error),
        now,
      );
      result.failed += batch.length;
    }
  }

  async function flushPortal(
    portalId: number,
    pending: PendingWriteback[],
    now: Date,
    result: WritebackFlushResult,
  ) {
    if (!(await portals.confirmInstalled(portalId))) {
      // Uninstalled since the mark: nothing may be written with another portal's token, so drop the marks.
      await store.writebacks.completeWritebacks(portalId, pending.map(clearMark), now);
      result.gone += pending.length;
      return;
    }
    const { done, updates } = await planPortal(portalId, pending, now, result);
    await store.writebacks.completeWritebacks(portalId, done, now);
    if (updates.length === 0) return;
    try {
      await ensureProperties(portalId);
    } catch (error) {
      logger.warn('write-back could not create the SOP properties; the deals stay marked', {
        portalId,
        error,
      });
      await store.writebacks.recordWritebackFailure(
        portalId,
        updates.map(({ pending: entry }) => entry.dealId),
        describeError(error),
        now,
      );
      result.failed += updates.length;
      return;
    }
    for (let start = 0; start < updates.length; start += WRITEBACK_BATCH_SIZE) {
      await writeBatch(portalId, updates.slice(start, start + WRITEBACK_BATCH_SIZE), now, result);
    }
  }

  async function runFlush(now: Date, portalId: number | undefined): Promise<WritebackFlushResult> {
    const result = emptyResult();
    const pending = await store.writebacks.listPendingWritebacks({
      ...(portalId === undefined ? {} : { portalId }),
      limit: WRITEBACK_DEALS_PER_FLUSH,
    });
    result.deals = pending.length;
    const byPortal = new Map<number, PendingWriteback[]>();
    for (const entry of pending)
      byPortal.set(entry.portalId, [...(byPortal.get(entry.portalId) ?? []), entry]);
    for (const [id, entries] of byPortal) {
      await flushPortal(id, entries, now, result).catch(async (error: unknown) => {
        logger.error('write-back failed for a portal', { portalId: id, error });
      });
    }
    for (const outcome of ['written', 'unchanged', 'gone', 'failed'] as const) {
      if (result[outcome] > 0) outcomes.inc({ outcome }, result[outcome]);
    }
    return result;
  }

  const flush = (now: Date, options: { portalId?: number } = {}) => {
    // Across instances (DESIGN.md §6) one flush at a time too: two flushes racing on a deal could
    // leave HubSpot with the older values while the store records the newer ones as written.
    const run = queue.then(async () => {
      const locked = await store.withExclusiveLock(WRITEBACK_LOCK_NAME, () =>
        runFlush(now, options.portalId),
      );
      return locked.acquired ? locked.value : emptyResult();
    });
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    markDealsChanged: (portalId, dealIds, now) =>
      store.writebacks.markDealsForWriteback(portalId, dealIds, now),
    flush,
  };
}
