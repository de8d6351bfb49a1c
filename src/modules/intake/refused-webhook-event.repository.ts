import { createHash } from 'node:crypto';
import { toEpochMs, type StoreContext } from '../../platform/db/store-context';

export interface RefusedWebhookEventsTable {
  /** sha256 of raw, hex. */
  key: string;
  received_at: number;
  portal_id: number | null;
  reason: string;
  /** The element as received, re-serialised as JSON (a NUL stays escaped as \u0000). */
  raw: string;
}

/** A webhook event the edge refused, as an operator reads it (`sop-guide refused-events`). */
export interface RefusedWebhookEvent {
  receivedAt: Date;
  portalId: number | null;
  reason: string;
  /** The element as received, as JSON text. */
  raw: string;
}

export interface RefusedWebhookEventRepository {
  /** Keeps each refusal once: the same element refused again (HubSpot retrying its batch) adds nothing. */
  recordRefusedEvents(events: readonly RefusedWebhookEvent[]): Promise<void>;
  /** The refusals received at or after `since`, oldest first, at most `limit`. */
  listRefusedEvents(options: { since?: Date; limit: number }): Promise<RefusedWebhookEvent[]>;
}

export function createRefusedWebhookEventRepository({ db }: StoreContext): RefusedWebhookEventRepository {
  return {
    async recordRefusedEvents(events) {
      if (events.length === 0) return;
      const rows: RefusedWebhookEventsTable[] = events.map((event) => ({
        key: createHash('sha256').update(event.raw).digest('hex'),
        received_at: toEpochMs(event.receivedAt),
        portal_id: event.portalId,
        reason: event.reason,
        raw: event.raw,
      }));
      await db
        .insertInto('refused_webhook_events')
        .values(rows)
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
    },

    async listRefusedEvents({ since, limit }) {
      let query = db.selectFrom('refused_webhook_events').selectAll();
      if (since) query = query.where('received_at', '>=', toEpochMs(since));
      const rows = await query.orderBy('received_at').orderBy('key').limit(limit).execute();
      return rows.map((row) => ({
        receivedAt: new Date(row.received_at),
        portalId: row.portal_id,
        reason: row.reason,
        raw: row.raw,
      }));
    },
  };
}
