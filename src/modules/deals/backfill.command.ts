import type { Clock } from '../../platform/clock';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { PortalRegistry } from '../portals';
import type { DealSyncService } from './deal-sync.service';
import type { CliCommand } from '../../platform/cli/cli-command';

/**
 * Projects the deals that predate the install: page through HubSpot's deals with the stage timing
 * properties (hs_v2_date_entered_current_stage) and write them as a batch read would.
 */
export interface BackfillDeps {
  portals: PortalRegistry;
  hubspot: Pick<HubSpotApis, 'deals'>;
  dealSync: DealSyncService;
  clock: Clock;
}

/** Projects every deal of one portal; answers how many. The CLI runs it per portal, an OAuth install for the new one. */
export async function backfillPortal(
  deps: Pick<BackfillDeps, 'hubspot' | 'dealSync' | 'clock'>,
  portalId: number,
): Promise<number> {
  let total = 0;
  for await (const ids of deps.hubspot.deals.pageIds(portalId)) {
    const { deals } = await deps.dealSync.syncDeals(portalId, ids, deps.clock.now());
    total += deals.length;
  }
  return total;
}

export const backfillCommand: CliCommand<BackfillDeps> = {
  name: 'backfill',
  usage: 'sop-guide backfill',
  summary: 'read every deal of the installed portal(s) from HubSpot into the local projection',
  flags: {},
  run(_args, io, openServices) {
    return openServices(async (services) => {
      for (const portalId of services.portals.installedPortalIds()) {
        io.out(`portal ${portalId}: ${await backfillPortal(services, portalId)} deals projected`);
      }
      return 0;
    });
  },
};
