import type { Clock } from '../../platform/clock';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { PortalRegistry } from '../portals';
import type { DealSyncService } from './deal-sync.service';
import type { CliCommand } from '../../platform/cli/cli-command';
import type { DealsChangedListener } from '../../platform/module';

/** Without a line for this long, an operator wonders whether the backfill is stuck. */
const PROGRESS_EVERY_MS = 3000;
/** The exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells report it. */
const INTERRUPTED_EXIT_CODE = 130;

/**
 * Projects the deals that predate the install: page through HubSpot's deals with the stage timing
 * properties (hs_v2_date_entered_current_stage) and write them as a batch read would. Progress goes
 * to stderr (a line after the first page, then one every few seconds); Ctrl-C stops after the page in
 * hand and says how far it got. Running it again is safe: a deal is written as a batch read would.
 */
export interface BackfillDeps {
  portals: PortalRegistry;
  hubspot: Pick<HubSpotApis, 'deals'>;
  dealSync: DealSyncService;
  clock: Clock;
  dealsChanged: DealsChangedListener;
}

export const backfillCommand: CliCommand<BackfillDeps> = {
  name: 'backfill',
  usage: 'sop-guide backfill',
  summary: 'read every deal of the installed portal(s) from HubSpot into the local projection',
  flags: {},
  run(_args, io, openServices) {
    return openServices(async (services) => {
      const interrupt = listenForCtrlC();
      try {
        for (const portalId of services.portals.installedPortalIds()) {
          const startedAt = Date.now();
          let done = 0;
          let reportedAt = 0;
          for await (const ids of services.hubspot.deals.pageIds(portalId)) {
            const now = services.clock.now();
            const { deals } = await services.dealSync.syncDeals(portalId, ids, now);
            // As after a webhook batch: every module learns of the deals (e.g. the closed deals' outcomes).
            await services.dealsChanged(
              portalId,
              deals.map((deal) => deal.dealId),
              now,
            );
            done += deals.length;
            if (interrupt.requested) break;
            if (Date.now() - reportedAt >= PROGRESS_EVERY_MS) {
              reportedAt = Date.now();
              const perSecond = Math.round((done * 1000) / Math.max(1, reportedAt - startedAt));
              io.err(`portal ${portalId}: ${done} deals projected so far (${perSecond}/s)`);
            }
          }
          if (interrupt.requested) {
            io.out(
              `portal ${portalId}: interrupted after ${done} deals projected; run backfill again to finish`,
            );
            return INTERRUPTED_EXIT_CODE;
          }
          io.out(`portal ${portalId}: ${done} deals projected`);
        }
        return 0;
      } finally {
        interrupt.stop();
      }
    });
  },
};

/** First Ctrl-C: stop after the page in hand. A second: exit at once. */
function listenForCtrlC(): { readonly requested: boolean; stop(): void } {
  let requested = false;
  const onSigint = () => {
    if (requested) process.exit(INTERRUPTED_EXIT_CODE);
    requested = true;
  };
  process.on('SIGINT', onSigint);
  return {
    get requested() {
      return requested;
    },
    stop: () => process.off('SIGINT', onSigint),
  };
}
