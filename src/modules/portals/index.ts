import type { Clock } from '../../platform/clock';
import type { Config } from '../../platform/config/env.schema';
import type { Store } from '../../platform/db';
import type { SharedRateBudget } from '../../platform/hubspot/portal-rate-limiter';
import { defineModule } from '../../platform/module';
import type { Logger } from '../../platform/observability/logger';
import type { MetricsRegistry } from '../../platform/observability/metrics.registry';
import { oauthInstallationsMigration } from './0009-oauth-installations.migration';
import { sharedSearchBudgetMigration } from './0016-shared-search-budget.migration';
import { createHubSpotOAuthClient } from './hubspot-oauth.client';
import {
  createInstallationRepository,
  type InstallationRepository,
  type InstallationsTable,
  type OAuthStatesTable,
} from './installation.repository';
import { createOAuthInstallService, type OAuthInstallService } from './oauth-install.service';
import { createOAuthTokens } from './oauth-tokens.service';
import {
  createPortalRegistry,
  RELOAD_INTERVAL_MS,
  type Installation,
  type PortalRegistry,
} from './portal-registry';
import { createPortalRepository, type PortalRepository } from './portal.repository';
import { portalsCommand } from './portals.command';
import { createRateBudgetRepository, type HubSpotRateLogTable } from './rate-budget.repository';
import { createTokenCipher } from './token-cipher';

export { DEFAULT_TIME_ZONE, type Installation, type PortalRegistry } from './portal-registry';
export type { Portal, PortalRepository, UpsertPortalInput } from './portal.repository';
export type { OAuthInstallService } from './oauth-install.service';
export { discoverStaticInstallation } from './static-installation';

declare module '../../platform/db/store' {
  interface StoreRepositories {
    portals: PortalRepository;
    installations: InstallationRepository;
    rateBudget: SharedRateBudget;
  }
}

declare module '../../platform/db/database.types' {
  interface Database {
    installations: InstallationsTable;
    oauth_states: OAuthStatesTable;
    hubspot_rate_log: HubSpotRateLogTable;
  }
}

/** The path HubSpot sends the browser back to; PUBLIC_BASE_URL + this is the app's redirect URL. */
export const OAUTH_CALLBACK_PATH = '/oauth/callback';

/**
 * Which portals the app is installed in, and each one's token: where tenancy starts. With static auth,
 * the one portal of HUBSPOT_ACCESS_TOKEN; in OAuth mode (HUBSPOT_CLIENT_ID), every portal that installed
 * the app, read from the database, with tokens sealed at rest and refreshed once across instances.
 */
export const portalsModule = defineModule({
  name: 'portals',
  migrations: {
    '0009-oauth-installations': oauthInstallationsMigration,
    '0016-shared-search-budget': sharedSearchBudgetMigration,
  },
  repositories: (ctx, lifecycle) => ({
    portals: createPortalRepository(ctx),
    installations: createInstallationRepository(ctx, lifecycle),
    rateBudget: createRateBudgetRepository(ctx),
  }),
  create: async (deps: {
    store: Store;
    clock: Clock;
    logger: Logger;
    metrics: MetricsRegistry;
    config: Config;
    installations: readonly Installation[];
  }): Promise<{ portals: PortalRegistry; oauthInstall: OAuthInstallService | null }> => {
    const { config } = deps;
    if (!config.oauth) {
      return {
        portals: await createPortalRegistry(deps.store, deps.installations, deps.clock.now()),
        oauthInstall: null,
      };
    }
    const cipher = createTokenCipher(config.oauth.encryptionKey, config.oauth.previousEncryptionKey);
    const oauthClient = createHubSpotOAuthClient({
      basePath: config.hubspotApiBaseUrl,
      clientId: config.oauth.clientId,
      clientSecret: config.hubspotClientSecret,
      redirectUri: config.publicBaseUrl + OAUTH_CALLBACK_PATH,
      metrics: deps.metrics,
    });
    // The registry and the token service know each other: a revoked refresh token stops the portal here.
    const uninstalled: Array<(portalId: number) => void> = [];
    const tokens = createOAuthTokens({
      installations: deps.store.installations,
      oauthClient,
      cipher,
      clock: deps.clock,
      logger: deps.logger,
      onUninstalled: (portalId) => uninstalled.forEach((forget) => forget(portalId)),
    });
    const portals = await createPortalRegistry(deps.store, deps.installations, deps.clock.now(), tokens);
    uninstalled.push((portalId) => portals.forget(portalId));
    return {
      portals,
      oauthInstall: createOAuthInstallService({
        oauth: config.oauth,
        hubspotApiBaseUrl: config.hubspotApiBaseUrl,
        redirectUri: config.publicBaseUrl + OAUTH_CALLBACK_PATH,
        installations: deps.store.installations,
        oauthClient,
        cipher,
        portals,
        clock: deps.clock,
        metrics: deps.metrics,
        logger: deps.logger,
      }),
    };
  },
  jobs: ({ portals, config }) => [
    {
      name: 'portal-registry-reload',
      // Static auth has nothing to reload; OAuth installs and uninstalls happen on any instance.
      intervalMs: config.oauth ? RELOAD_INTERVAL_MS : 0,
      run: () => portals.reload(),
    },
  ],
  commands: [portalsCommand],
});
