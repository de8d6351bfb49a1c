import type { StoreContext } from '../../platform/db/store-context';
import type { PortalPurge } from '../../platform/module';
import { explodeJournalBody } from './webhook-journal';
import { bodyText, type JournalRowRead } from './webhook-journal.repository';

/** Does a raw webhook element (or a refused one, whose portalId may be malformed) belong to the portal? */
function namesPortal(element: unknown, portalId: number): boolean {
  if (typeof element !== 'object' || element === null) return false;
  const named = (element as { portalId?: unknown }).portalId;
  return (
    (typeof named === 'number' || typeof named === 'string') && String(named).trim() === String(portalId)
  );
}

/**
 * A journal row is one HubSpot request, and one request may carry events of several portals: the
 * portal's events are cut out of each row not yet moved into the inbox (pending or parked), the others'
 * kept, and a row left with none is deleted. Rows are locked first, so a move running meanwhile either
 * finished (its inbox rows are then deleted by portal_id after this) or waits for the purge.
 */
async function purgeJournal({ db: trx, dialect }: StoreContext, portalId: number): Promise<number> {
  const query = trx
    .selectFrom('webhook_journal')
    .select(['id', 'body', 'body_encoding', 'received_at', 'event_count'])
    .orderBy('id');
  // SQLite: the purge's IMMEDIATE transaction already holds the one write lock.
  const rows = await (dialect === 'postgres' ? query.forUpdate() : query).execute();
  let touched = 0;
  for (const row of rows) {
    let elements: unknown;
    try {
      elements = JSON.parse(bodyText(row as JournalRowRead));
    } catch {
      // A body that no longer reads cannot be attributed to a portal; it stays parked for an operator.
      continue;
    }
    if (!Array.isArray(elements)) continue;
    const kept = elements.filter((element) => !namesPortal(element, portalId));
    if (kept.length === elements.length) continue;
    touched += 1;
    if (kept.length === 0) {
      await trx.deleteFrom('webhook_journal').where('id', '=', row.id).execute();
      continue;
    }
    const body = JSON.stringify(kept);
    const exploded = explodeJournalBody(body);
    const removed = elements.length - kept.length;
    await trx
      .updateTable('webhook_journal')
      .set({
        body,
        body_encoding: 'utf8',
        event_count: exploded.ok ? exploded.events.length : Math.max(0, row.event_count - removed),
      })
      .where('id', '=', row.id)
      .execute();
  }
  return touched;
}

/** Refusals kept without a portal_id because theirs was malformed ("62515" as text) still name the portal. */
async function purgeUnattributedRefusals({ db: trx }: StoreContext, portalId: number): Promise<number> {
  const rows = await trx
    .selectFrom('refused_webhook_events')
    .select(['key', 'raw'])
    .where('portal_id', 'is', null)
    .execute();
  const keys = rows
    .filter((row) => {
      try {
        return namesPortal(JSON.parse(row.raw), portalId);
      } catch {
        return false;
      }
    })
    .map((row) => row.key);
  if (keys.length > 0) await trx.deleteFrom('refused_webhook_events').where('key', 'in', keys).execute();
  return keys.length;
}

/** What the intake keeps of a portal beyond its portal_id rows, removed inside `portals purge`. */
export const purgeWebhookPortalData: PortalPurge = async (ctx, portalId) => ({
  webhook_journal: await purgeJournal(ctx, portalId),
  refused_webhook_events: await purgeUnattributedRefusals(ctx, portalId),
});
