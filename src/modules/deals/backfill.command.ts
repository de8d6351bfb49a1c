import type { Clock } from '../../platform/clock';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { PortalRegistry } from '../portals';
import type { DealSyncService } from './deal-sync.service';
import type { CliCommand } from '../../platform/cli/cli-command';
import type { DealsChangedListener } from '../../platform/module';
import { createProgressReporter } from '../../platform/cli/progress-reporter';
import { INTERRUPTED_EXIT_CODE, listenForCtrlC } from '../../platform/cli/ctrl-c';

/**
 * Projects the deals that predate the install: page through HubSpot's deals with the stage timing
 * properties (hs_v2_date_entered_current_stage) and write them as a batch read would. Progress goes
 * to stderr (progress-reporter.ts); Ctrl-C stops after the page in hand and says how far it got. Running it again is safe: a deal is written as a batch read would.
 */
export interface BackfillDeps {
  portals: PortalRegistry;
  hubspot: Pick<HubSpotApis, 'deals'>;
  dealSync: DealSyncService;
  clock: Clock;
  dealsChanged: DealsChangedListener;
}

/**
 * Projects every deal of one portal, a page at a time, telling every module of each page as an inbox
 * batch does (e.g. the closed deals' outcomes). The CLI runs it per portal, an OAuth install for the new
 * one. `onPage` hears the count so far after each page and may stop the walk by answering false.
 */
export async function backfillPortal(
  deps: Pick<BackfillDeps, 'hubspot' | 'dealSync' | 'clock' | 'dealsChanged'>,
  portalId: number,
  onPage: (done: number) => boolean = () => true,
): Promise<{ done: number; stopped: boolean }> {
  let done = 0;
  for await (const ids of deps.hubspot.deals.pageIds(portalId)) {
    const now = deps.clock.now();
    const { deals } = await deps.dealSync.syncDeals(portalId, ids, now);
    await deps.dealsChanged(
      portalId,
      deals.map((deal) => deal.dealId),
      now,
    );
    done += deals.length;
    if (!onPage(done)) return { done, stopped: true };
  }
  return { done, stopped: false };
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
          const progress = createProgressReporter(io, `portal ${portalId}`, 'deals projected');
          // For the progress line only: without it the backfill goes on, showing no total.
          const total = await services.hubspot.deals.count(portalId).catch(() => null);
          const { done, stopped } = await backfillPortal(services, portalId, (soFar) => {
            if (interrupt.requested) return false;
            progress.update(soFar, total);
            return true;
          }).finally(() => progress.end());
          if (stopped) {
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
