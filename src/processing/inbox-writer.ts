import type {
  InboxBatchInput,
  InboxBatchOutcome,
  InboxInsertCounts,
} from '../store/webhook-inbox.repository';

/** The store call the writer drives: several batches, one transaction, an outcome per batch. */
export type InsertInboxBatches = (batches: readonly InboxBatchInput[]) => Promise<InboxBatchOutcome[]>;

export interface InboxWriter {
  /** Resolves once `batch` is committed (durably), with its own counts; rejects if it was not stored. */
  write(batch: InboxBatchInput): Promise<InboxInsertCounts>;
}

/**
 * Above this many events a write takes no more batches: one transaction stays short, and a write's
 * latency stays bounded however many requests pile up. HubSpot sends at most 100 events a batch.
 */
export const MAX_EVENTS_PER_GROUP_WRITE = 5000;

interface PendingBatch {
  batch: InboxBatchInput;
  resolve(counts: InboxInsertCounts): void;
  reject(error: unknown): void;
}

/**
 * Group commit for the webhook inbox. A commit costs an fsync, and every webhook request waits for one
 * before its 2xx; so batches that arrive while a write is in flight (or in the same turn of the event
 * loop) are stored together in ONE transaction, and each request's promise resolves only after that
 * commit, with its own counts. At most one write is in flight: on SQLite there is one writer anyway,
 * and on PostgreSQL a queue of small transactions is what made each request wait.
 *
 * A batch that fails inside a shared transaction is rolled back alone by the store (a savepoint). If
 * the shared transaction fails as a whole, each of its batches is retried alone, so one bad batch never
 * fails or loses the others.
 */
export function createInboxWriter(
  insertBatches: InsertInboxBatches,
  options: { maxEventsPerWrite?: number } = {},
): InboxWriter {
  const maxEventsPerWrite = options.maxEventsPerWrite ?? MAX_EVENTS_PER_GROUP_WRITE;
  const queue: PendingBatch[] = [];
  let flushing = false;

  const takeGroup = (): PendingBatch[] => {
    let events = 0;
    let taken = 0;
    // Always at least one batch, even an oversized one.
    while (
      taken < queue.length &&
      (taken === 0 || events + queue[taken]!.batch.events.length <= maxEventsPerWrite)
    ) {
      events += queue[taken]!.batch.events.length;
      taken += 1;
    }
    return queue.splice(0, taken);
  };

  const settle = (pending: PendingBatch, outcome: InboxBatchOutcome | undefined) => {
    if (outcome?.ok) pending.resolve({ inserted: outcome.inserted, duplicates: outcome.duplicates });
    else pending.reject(outcome ? outcome.error : new Error('the store returned no outcome for a batch'));
  };

  const writeAlone = async (pending: PendingBatch) => {
    try {
      const [outcome] = await insertBatches([pending.batch]);
      settle(pending, outcome);
    } catch (error) {
      pending.reject(error);
    }
  };

  const writeGroup = async (group: PendingBatch[]) => {
    let outcomes: InboxBatchOutcome[];
    try {
      outcomes = await insertBatches(group.map((pending) => pending.batch));
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      // Nothing of the group was stored: give each batch its own chance.
      for (const pending of group) await writeAlone(pending);
      return;
    }
    group.forEach((pending, index) => settle(pending, outcomes[index]));
  };

  const flush = async () => {
    flushing = true;
    try {
      while (queue.length > 0) {
        await writeGroup(takeGroup());
        // Let the requests that arrived during that write reach the queue before taking the next group.
        if (queue.length > 0) await nextTurn();
      }
    } finally {
      flushing = false;
    }
  };

  return {
    write(batch) {
      return new Promise<InboxInsertCounts>((resolve, reject) => {
        queue.push({ batch, resolve, reject });
        if (flushing) return;
        flushing = true;
        // Wait for the rest of this turn of the event loop: requests read in the same poll phase join.
        setImmediate(() => void flush());
      });
    },
  };
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
