import type { Clock } from '../../platform/clock';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { PortalRegistry } from '../portals';
import type { DealSyncService } from './deal-sync.service';
import type { CliCommand } from '../../platform/cli/cli-command';
import type { DealsChangedListener } from '../../platform/module';

/**
 * Projects the deals that predate the install: page through HubSpot's deals with the stage timing
 * properties (hs_v2_date_entered_current_stage) and write them as a batch read would.
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
      for (const portalId of services.portals.installedPortalIds()) {
        let total = 0;
        for await (const ids of services.hubspot.deals.pageIds(portalId)) {
          const now = services.clock.now();
          const { deals } = await services.dealSync.syncDeals(portalId, ids, now);
          // As after a webhook batch: every module learns of the deals (e.g. the closed deals' outcomes).
          await services.dealsChanged(
            portalId,
            deals.map((deal) => deal.dealId),
            now,
          );
          total += deals.length;
        }
        io.out(`portal ${portalId}: ${total} deals projected`);
      }
      return 0;
    });
  },
};
