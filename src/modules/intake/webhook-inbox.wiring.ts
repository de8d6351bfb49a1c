import type { Store } from '../../platform/db';
import type { MetricsRegistry } from '../../platform/observability/metrics.registry';
import type { PortalRegistry } from '../portals';
import type { StoreBatch } from '../../../webhooks/webhook-intake.handler';

/**
 * What the webhook edge calls before it acknowledges: journal the batch durably, whole (one row per
 * request; the inbox processor later moves its events into the inbox, deduplicated). Concurrent
 * requests share a commit. Events of portals without an installation are acknowledged and left out
 * here, so HubSpot stops retrying them and none of their data is kept.
 */
export function createStoreBatch({
  store,
  portals,
  metrics,
}: {
  store: Store;
  portals: PortalRegistry;
  metrics: MetricsRegistry;
}): StoreBatch {
  const dropped = metrics.counter(
    'sop_webhook_events_dropped_total',
    'Webhook events for portals without an installation',
  );
  // Elements passed the envelope check at the edge: portalId is a number on every one.
  const isOurs = (element: unknown) => portals.isInstalled((element as { portalId: number }).portalId);

  return async ({ text, elements, dealEvents, receivedAt }) => {
    let ours = 0;
    for (const event of dealEvents) if (portals.isInstalled(event.portalId)) ours += 1;
    if (ours < dealEvents.length) dropped.inc({}, dealEvents.length - ours);
    if (ours === 0) return { stored: 0 };
    // The common case keeps the body as received: no re-serialising on the hot path.
    const body = elements.every(isOurs) ? text : JSON.stringify(elements.filter(isOurs));
    await store.journal.append({ body, eventCount: ours, receivedAt: new Date(receivedAt) });
    return { stored: ours };
  };
}
