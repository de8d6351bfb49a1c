import type { Store } from '../../platform/db';
import { parseIsoFlag, parsePositiveIntFlag } from '../../platform/cli/cli-args';
import type { CliCommand } from '../../platform/cli/cli-command';

const DEFAULT_LIMIT = 100;

/**
 * `sop-guide parked-events [--since <date>] [--limit <n>]`: the acknowledged events the inbox gave up
 * on (a poison that fails alone, a HubSpot answer retrying cannot change, or a day of failed attempts),
 * oldest first, one JSON object a line: when, which portal and deal, after how many attempts, why, and
 * the event as stored. Their deals are current again at the next `backfill` or deal view.
 */
export const parkedEventsCommand: CliCommand<{ store: Store }> = {
  name: 'parked-events',
  usage: 'sop-guide parked-events [--since <date>] [--limit <n>]',
  summary: 'list the webhook events the inbox parked, with why (one JSON line each)',
  flags: { since: 'string', limit: 'string' },
  async run(args, io, openServices) {
    const since = parseIsoFlag(args, 'since');
    const limit = parsePositiveIntFlag(args, 'limit', DEFAULT_LIMIT);
    return openServices(async (services) => {
      const events = await services.store.inbox.listParkedInboxEvents({
        limit,
        ...(since ? { since } : {}),
      });
      for (const event of events) {
        io.out(
          JSON.stringify({
            parkedAt: event.parkedAt.toISOString(),
            portalId: event.portalId,
            dealId: event.objectId,
            attempts: event.attempts,
            reason: event.lastError,
            event: event.payload,
          }),
        );
      }
      if (events.length === 0) io.err('No parked webhook events.');
      return 0;
    });
  },
};
