/**
 * Group commit: items submitted while a write is in flight (or in the same turn of the event loop) are
 * written together by ONE call of `writeGroup` (one transaction, one commit), and each submitter's
 * promise settles only after that commit. At most one write is in flight. A commit costs a round trip
 * and a flush, and every webhook request waits for one before its 2xx; sharing it is what lets many
 * concurrent requests through. If the write fails, every item of its group is rejected (the webhook
 * edge answers 503 and HubSpot retries), and the next group is tried afresh.
 */
export interface GroupCommit<T> {
  submit(item: T): Promise<void>;
}

/** Above this many items a write takes no more, so one transaction and its latency stay bounded. */
export const MAX_ITEMS_PER_GROUP_WRITE = 256;

export function createGroupCommit<T>(
  writeGroup: (items: T[]) => Promise<void>,
  options: { maxItemsPerWrite?: number } = {},
): GroupCommit<T> {
  const maxItems = options.maxItemsPerWrite ?? MAX_ITEMS_PER_GROUP_WRITE;
  const queue: Array<{ item: T; resolve(): void; reject(error: unknown): void }> = [];
  let flushing = false;

  const flush = async () => {
    try {
      while (queue.length > 0) {
        const group = queue.splice(0, maxItems);
        try {
          await writeGroup(group.map((entry) => entry.item));
          for (const entry of group) entry.resolve();
        } catch (error) {
          for (const entry of group) entry.reject(error);
        }
        // Let the requests that arrived during that write reach the queue before taking the next group.
        if (queue.length > 0) await nextTurn();
      }
    } finally {
      flushing = false;
    }
  };

  return {
    submit(item) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
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
