import { explodeJournalBody } from '../../../src/modules/intake/webhook-journal';
import type { ExplodeJournalBody } from '../../../src/modules/intake';
import type { Store } from '../../../src/platform/db';

export interface InboxArrival {
  /** Inbox rows created, and events the inbox already had (same dedupe key). */
  inserted: number;
  duplicates: number;
}

/**
 * Puts a webhook request's events into the inbox the way production does: journaled whole, then moved
 * into the inbox, where the key the webhook edge computed recognises redeliveries. `explode` replaces
 * the edge's parsing for a body only, to plant a row a current version would never write (an older
 * version's, or a damaged one); other journaled bodies are parsed as usual.
 */
export async function deliverToInbox(
  store: Store,
  events: readonly unknown[],
  options: { receivedAt?: Date; explode?: ExplodeJournalBody } = {},
): Promise<InboxArrival> {
  const body = JSON.stringify(events);
  const { explode } = options;
  await store.journal.append({
    body,
    eventCount: events.length,
    receivedAt: options.receivedAt ?? new Date(),
  });
  const arrival: InboxArrival = { inserted: 0, duplicates: 0 };
  for (;;) {
    const transfer = await store.journal.moveToInbox({
      limit: 50,
      explode: (text) => (explode && text === body ? explode(text) : explodeJournalBody(text)),
    });
    if (transfer.parked > 0)
      throw new Error('A journaled body did not parse: the test built an invalid event');
    if (transfer.moved === 0) return arrival;
    arrival.inserted += transfer.inserted;
    arrival.duplicates += transfer.duplicates;
  }
}
