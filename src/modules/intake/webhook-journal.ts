import { parseWebhookBatch, type DealEvent } from '../../../webhooks/hubspot-event.schema';
import type { InboxEventInput } from './webhook-inbox.repository';
import type { ExplodeJournalBody } from './webhook-journal.repository';

/**
 * A journal row's body back into inbox events. The body is what the intake verified and validated
 * before its 2xx, so it is parsed with the same schema; one that no longer passes (a schema changed
 * between the ack and now) is reported, and the store parks it rather than drop what HubSpot was told
 * we have.
 */
export const explodeJournalBody: ExplodeJournalBody = (body) => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, error: 'The journaled batch is not valid JSON' };
  }
  const batch = parseWebhookBatch(json);
  if (!batch.ok) {
    const first = batch.issues[0];
    return {
      ok: false,
      error: `The journaled batch no longer passes the event schema (${batch.issues.length} issues; first at ${JSON.stringify(first?.path)}: ${first?.message})`,
    };
  }
  return { ok: true, events: batch.events.map(toInboxEventInput) };
};

export function toInboxEventInput(event: DealEvent): InboxEventInput {
  return {
    portalId: event.portalId,
    dedupeKey: event.dedupeKey,
    objectId: event.objectId,
    occurredAt: event.occurredAt,
    subscriptionType: event.kind,
    payload: event,
  };
}
