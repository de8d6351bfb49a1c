import { withServices, type CliCommand } from '../../app/cli/cli-context';

/**
 * Projects the deals that predate the install: page through HubSpot's deals with the stage timing
 * properties (hs_v2_date_entered_current_stage) and write them as a batch read would.
 */
export const backfillCommand: CliCommand = {
  name: 'backfill',
  usage: 'sop-guide backfill',
  summary: 'read every deal of the installed portal(s) from HubSpot into the local projection',
  flags: {},
  run(_args, io) {
    return withServices(io, async (services) => {
      for (const portalId of services.portals.installedPortalIds()) {
        let total = 0;
        for await (const ids of services.hubspot.deals.pageIds(portalId)) {
          const { deals } = await services.dealSync.syncDeals(portalId, ids, services.clock.now());
          total += deals.length;
        }
        io.out(`portal ${portalId}: ${total} deals projected`);
      }
      return 0;
    });
  },
};
