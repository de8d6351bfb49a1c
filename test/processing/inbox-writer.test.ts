import { createInboxWriter, type InsertInboxBatches } from '../../src/processing/inbox-writer';
import type { InboxBatchInput, InboxEventInput } from '../../src/store/webhook-inbox.repository';

function anEvent(eventId: number): InboxEventInput {
  return { portalId: 1, subscriptionId: 1, eventId, objectId: 1, occurredAt: 0, payload: { eventId } };
}

function aBatch(...eventIds: number[]): InboxBatchInput {
  return { events: eventIds.map(anEvent) };
}

/** A store that records each transaction's batches and stores every event id once. */
function aRecordingStore(options: { failGroupsOfMoreThan?: number } = {}) {
  const transactions: InboxBatchInput[][] = [];
  const stored = new Set<unknown>();
  const insertBatches: InsertInboxBatches = async (batches) => {
    transactions.push([...batches]);
    if (options.failGroupsOfMoreThan !== undefined && batches.length > options.failGroupsOfMoreThan) {
      throw new Error('the transaction failed');
    }
    return batches.map((batch) => {
      let inserted = 0;
      for (const event of batch.events) {
        if (!stored.has(event.eventId)) inserted += 1;
        stored.add(event.eventId);
      }
      return { ok: true as const, inserted, duplicates: batch.events.length - inserted };
    });
  };
  return { insertBatches, transactions, stored };
}

describe('inbox writer (group commit)', () => {
  it('writes batches sent in the same turn in one transaction, and answers each with its own counts', async () => {
    const store = aRecordingStore();
    const writer = createInboxWriter(store.insertBatches);

    const results = await Promise.all([
      writer.write(aBatch(1, 2)),
      writer.write(aBatch(2, 3)),
      writer.write(aBatch(4)),
    ]);

    expect(store.transactions).toHaveLength(1);
    expect(results).toEqual([
      { inserted: 2, duplicates: 0 },
      { inserted: 1, duplicates: 1 },
      { inserted: 1, duplicates: 0 },
    ]);
  });

  it('resolves a request only after the transaction holding its batch has finished', async () => {
    let commit: () => void = () => undefined;
    const writer = createInboxWriter(
      (batches) =>
        new Promise((resolve) => {
          commit = () => resolve(batches.map(() => ({ ok: true as const, inserted: 1, duplicates: 0 })));
        }),
    );
    let answered = false;
    const write = writer.write(aBatch(1)).then(() => (answered = true));

    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(answered).toBe(false);
    commit();
    await write;
    expect(answered).toBe(true);
  });

  it('groups the batches that arrive while a write is in flight into the next transaction', async () => {
    const store = aRecordingStore();
    const writer = createInboxWriter(store.insertBatches);

    const first = writer.write(aBatch(1));
    await new Promise((resolve) => setImmediate(resolve));
    const later = [writer.write(aBatch(2)), writer.write(aBatch(3)), writer.write(aBatch(4))];
    await Promise.all([first, ...later]);

    expect(store.transactions.map((batches) => batches.length)).toEqual([1, 3]);
  });

  it('retries each batch alone when a shared transaction fails, so one bad batch fails no other', async () => {
    const store = aRecordingStore({ failGroupsOfMoreThan: 1 });
    const writer = createInboxWriter(store.insertBatches);

    const results = await Promise.allSettled([writer.write(aBatch(1)), writer.write(aBatch(2, 1))]);

    expect(results).toEqual([
      { status: 'fulfilled', value: { inserted: 1, duplicates: 0 } },
      { status: 'fulfilled', value: { inserted: 1, duplicates: 1 } },
    ]);
    expect(store.transactions.map((batches) => batches.length)).toEqual([2, 1, 1]);
  });

  it('fails the request whose batch the store reports as not stored, and only that one', async () => {
    const writer = createInboxWriter(async (batches) =>
      batches.map((batch) =>
        batch.events.some((event) => event.eventId === 13)
          ? { ok: false as const, error: new Error('cannot store event 13') }
          : { ok: true as const, inserted: batch.events.length, duplicates: 0 },
      ),
    );

    const results = await Promise.allSettled([writer.write(aBatch(12)), writer.write(aBatch(13))]);

    expect(results[0]).toEqual({ status: 'fulfilled', value: { inserted: 1, duplicates: 0 } });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { message: 'cannot store event 13' } });
  });

  it('keeps each transaction under the event cap, and still takes a batch larger than the cap', async () => {
    const store = aRecordingStore();
    const writer = createInboxWriter(store.insertBatches, { maxEventsPerWrite: 3 });

    await Promise.all([
      writer.write(aBatch(1, 2)),
      writer.write(aBatch(3)),
      writer.write(aBatch(4, 5)),
      writer.write(aBatch(6, 7, 8, 9)),
    ]);

    expect(store.transactions.map((batches) => batches.map((batch) => batch.events.length))).toEqual([
      [2, 1],
      [2],
      [4],
    ]);
  });
});
