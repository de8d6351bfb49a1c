import { createHubSpotGateway } from '../../platform/hubspot/hubspot-gateway';
import type { MetricsRegistry } from '../../platform/observability/metrics.registry';
import type { Installation } from './portal-registry';

/**
 * With static auth the installed portal is the token's own: HubSpot's account-info tells which one
 * (DESIGN.md §3). The gateway asked here knows only this token, whatever portal id it is asked for.
 */
export async function discoverStaticInstallation(options: {
  basePath: string;
  accessToken: string;
  metrics: MetricsRegistry;
}): Promise<Installation> {
  const probe = createHubSpotGateway({
    basePath: options.basePath,
    tokenForPortal: () => options.accessToken,
    metrics: options.metrics,
  });
  const details = await probe.getAccountDetails(0);
  return { portalId: details.portalId, accessToken: options.accessToken, timeZone: details.timeZone };
}
