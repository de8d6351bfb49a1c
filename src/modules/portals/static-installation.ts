import { createAccountApi } from '../../platform/hubspot/account.api';
import { createHubSpotTransport } from '../../platform/hubspot/hubspot-transport';
import type { MetricsRegistry } from '../../platform/observability/metrics.registry';
import type { Installation } from './portal-registry';

/**
 * With static auth the installed portal is the token's own: HubSpot's account-info tells which one
 * (DESIGN.md §3). The transport asked here knows only this token, whatever portal id it is asked for.
 */
export async function discoverStaticInstallation(options: {
  basePath: string;
  accessToken: string;
  metrics: MetricsRegistry;
}): Promise<Installation> {
  const account = createAccountApi(
    createHubSpotTransport({
      basePath: options.basePath,
      tokenForPortal: () => options.accessToken,
      metrics: options.metrics,
    }),
  );
  const details = await account.getDetails(0);
  return { portalId: details.portalId, accessToken: options.accessToken, timeZone: details.timeZone };
}
