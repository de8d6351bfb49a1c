import type { DealEvent } from '../../webhooks/hubspot-event.schema';
import type { Services } from '../app/services';
import { createInboxWriter } from '../processing/inbox-writer';

/**
 * What the webhook edge calls before it acknowledges: store the batch durably. Concurrent batches share
 * one transaction (group commit, see inbox-writer.ts); each still resolves only after its commit, with
 * its own counts. Events for portals without an installation are acknowledged and dropped here, so
 * HubSpot stops retrying them and none of their data is kept.
 */
export function createStoreEvents({
  store,
  portals,
  metrics,
}: Pick<Services, 'store' | 'portals' | 'metrics'>) {
  const dropped = metrics.counter(
    'sop_webhook_events_dropped_total',
    'Webhook events for portals without an installation',
  );
  const writer = createInboxWriter((batches) => store.inbox.insertInboxBatches(batches));
  return async (events: DealEvent[], meta: { receivedAt: number }) => {
    const ours = events.filter((event) => portals.isInstalled(event.portalId));
    if (ours.length < events.length) dropped.inc({}, events.length - ours.length);
    if (ours.length === 0) return { inserted: 0, duplicates: 0 };
    return writer.write({
      events: ours.map((event) => ({
        portalId: event.portalId,
        subscriptionId: event.subscriptionId,
        eventId: event.eventId,
        objectId: event.objectId,
        occurredAt: event.occurredAt,
        subscriptionType: event.kind,
        payload: event,
      })),
      receivedAt: new Date(meta.receivedAt),
    });
  };
}
