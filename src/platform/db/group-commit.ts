/**
 * Group commit: items submitted while a write is in flight (or in the same turn of the event loop) are
 * written together by ONE call of `writeGroup` (one transaction, one commit), and each submitter's
 * promise settles only after that commit. At most `maxWritesInFlight` writes (default 1) are in flight. A commit costs a round trip
 * and a flush, and every webhook request waits for one before its 2xx; sharing it is what lets many
 * concurrent requests through. A database that commits concurrent transactions together (PostgreSQL)
 * may take a few writes in flight at once (`maxWritesInFlight`). If the write fails, every item of its group is rejected (the webhook
 * edge answers 503 and HubSpot retries), and the next group is tried afresh.
 */
export interface GroupCommit<T> {
  submit(item: T): Promise<void>;
}

/** Above this many items a write takes no more, so one transaction and its latency stay bounded. */
export const MAX_ITEMS_PER_GROUP_WRITE = 256;

export function createGroupCommit<T>(
  writeGroup: (items: T[]) => Promise<void>,
  options: { maxItemsPerWrite?: number; maxWritesInFlight?: number } = {},
): GroupCommit<T> {
  const maxItems = options.maxItemsPerWrite ?? MAX_ITEMS_PER_GROUP_WRITE;
  const maxInFlight = Math.max(1, options.maxWritesInFlight ?? 1);
  const queue: Array<{ item: T; resolve(): void; reject(error: unknown): void }> = [];
  let inFlight = 0;
  let scheduled = false;

  const write = async (group: typeof queue) => {
    try {
      await writeGroup(group.map((entry) => entry.item));
      for (const entry of group) entry.resolve();
    } catch (error) {
      for (const entry of group) entry.reject(error);
    }
  };

  const startWrites = () => {
    scheduled = false;
    while (inFlight < maxInFlight && queue.length > 0) {
      inFlight += 1;
      void write(queue.splice(0, maxItems)).finally(() => {
        inFlight -= 1;
        // Let the requests that arrived during that write reach the queue before taking the next group.
        schedule();
      });
    }
  };

  // Wait for the rest of this turn of the event loop: requests read in the same poll phase join.
  const schedule = () => {
    if (scheduled || queue.length === 0 || inFlight >= maxInFlight) return;
    scheduled = true;
    setImmediate(startWrites);
  };

  return {
    submit(item) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      });
    },
  };
}
