import { AppError } from '../../platform/errors/app-error';
import type { Logger } from '../../platform/observability/logger';
import type { Store } from '../../platform/db';
import type { MetricsRegistry } from '../../platform/observability/metrics.registry';
import type { PortalRegistry } from '../portals';
import type { IntakeActivity } from './intake-activity';
import type { StoreBatch } from '../../../webhooks/webhook-intake.handler';

/**
 * What the webhook edge calls before it acknowledges: journal the batch durably, whole (one row per
 * request; the inbox processor later moves its events into the inbox, deduplicated), and keep the
 * elements it refused with their reason. Concurrent requests share a commit. Events of portals without
 * an installation are acknowledged and left out here (counted as ignored), so HubSpot stops retrying
 * them and none of their data is kept.
 */
export function createStoreBatch({
  store,
  portals,
  metrics,
  logger,
  intakeActivity,
}: {
  store: Store;
  portals: PortalRegistry;
  metrics: MetricsRegistry;
  logger: Logger;
  intakeActivity: IntakeActivity;
}): StoreBatch {
  const dropped = metrics.counter(
    'sop_webhook_events_dropped_total',
    'Webhook events for portals without an installation',
  );
  const refusedCounter = metrics.counter(
    'sop_webhook_events_refused_total',
    'Webhook events refused by the edge, kept for operators (npx sop-guide refused-events)',
  );
  return async ({ text, elements, dealEvents, refused, receivedAt }) => {
    const served = await servedPortals(portals, [
      ...dealEvents.map((event) => event.portalId),
      ...refused.map(({ element }) => portalIdOf(element)).filter((portalId) => portalId !== null),
    ]);
    // Elements passed the envelope check at the edge: portalId is a number on every one.
    const isOurs = (element: unknown) => served.has((element as { portalId: number }).portalId);
    if (refused.length > 0) {
      // A refused element may lack a usable portalId; one that names a portal we do not serve is not kept.
      const kept = refused.flatMap(({ element, reason }) => {
        const portalId = portalIdOf(element);
        if (portalId !== null && !served.has(portalId)) return [];
        return [{ receivedAt: new Date(receivedAt), portalId, reason, raw: serialiseRefused(element) }];
      });
      await store.refusedEvents.recordRefusedEvents(kept);
      refusedCounter.inc({}, refused.length);
      logger.warn('webhook events refused', { count: refused.length, firstReason: refused[0]?.reason });
    }
    let ours = 0;
    for (const event of dealEvents) if (served.has(event.portalId)) ours += 1;
    const ignored = dealEvents.length - ours;
    if (ignored > 0) dropped.inc({}, ignored);
    if (ours > 0) {
      // The common case keeps the body as received: no re-serialising on the hot path.
      const body = elements.every(isOurs) ? text : JSON.stringify(elements.filter(isOurs));
      intakeActivity.noteRequest();
      await store.journal.append({ body, eventCount: ours, receivedAt: new Date(receivedAt) });
    }
    // Checked after the commit: what went into a SQLite file deleted (or replaced) under the service is
    // gone at the next start, so it is not acknowledged; HubSpot retries the batch after a restart.
    const lost = store.fileProblem();
    if (lost) throw new AppError('UNAVAILABLE', lost);
    return { stored: ours, ignored };
  };
}

/**
 * The batch's portals this instance serves, asked of the database for any its snapshot lacks: an
 * install made through another instance a moment ago must not see its first events dropped here.
 */
async function servedPortals(portals: PortalRegistry, portalIds: readonly number[]): Promise<Set<number>> {
  const served = new Set<number>();
  for (const portalId of new Set(portalIds)) {
    if (await portals.confirmInstalled(portalId)) served.add(portalId);
  }
  return served;
}

function portalIdOf(element: unknown): number | null {
  if (typeof element !== 'object' || element === null) return null;
  const portalId = (element as { portalId?: unknown }).portalId;
  return typeof portalId === 'number' && Number.isSafeInteger(portalId) && portalId > 0 ? portalId : null;
}

/**
 * The element as JSON text to keep. JSON.parse takes nesting JSON.stringify cannot give back (it
 * recurses: a few thousand levels overflow the stack); such an element is kept as a note instead, so a
 * hostile element never turns the valid part of its batch into a 503.
 */
function serialiseRefused(element: unknown): string {
  try {
    return JSON.stringify(element);
  } catch {
    return JSON.stringify('(not kept: nested too deeply to serialise)');
  }
}
