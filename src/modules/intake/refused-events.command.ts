import type { Store } from '../../platform/db';
import { parseIsoFlag, parsePositiveIntFlag } from '../../platform/cli/cli-args';
import type { CliCommand } from '../../platform/cli/cli-command';

const DEFAULT_LIMIT = 100;

/**
 * `sop-guide refused-events [--since <date>] [--limit <n>]`: the webhook events the edge refused (the
 * rest of their batch was stored and acknowledged), oldest first, one JSON object a line: when, which
 * portal, why, and the event as received, so an operator can fix the cause and replay it by hand.
 */
export const refusedEventsCommand: CliCommand<{ store: Store }> = {
  name: 'refused-events',
  usage: 'sop-guide refused-events [--since <date>] [--limit <n>]',
  summary: 'list the webhook events refused at the edge, with why (one JSON line each)',
  flags: { since: 'string', limit: 'string' },
  async run(args, io, openServices) {
    const since = parseIsoFlag(args, 'since');
    const limit = parsePositiveIntFlag(args, 'limit', DEFAULT_LIMIT);
    return openServices(async (services) => {
      const events = await services.store.refusedEvents.listRefusedEvents({
        limit,
        ...(since ? { since } : {}),
      });
      for (const event of events) {
        io.out(
          JSON.stringify({
            receivedAt: event.receivedAt.toISOString(),
            portalId: event.portalId,
            reason: event.reason,
            event: JSON.parse(event.raw) as unknown,
          }),
        );
      }
      if (events.length === 0) io.err('No refused webhook events.');
      return 0;
    });
  },
};
