import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import appMeta from '../../../extensions/app/app-hsmeta.json';
import type { Clock } from '../../platform/clock';
import type { OAuthConfig } from '../../platform/config/env.schema';
import { AppError } from '../../platform/errors/app-error';
import type { MetricsRegistry } from '../../platform/observability/metrics.registry';
import type { Logger } from '../../platform/observability/logger';
import { GrantRefusedError, type HubSpotOAuthClient } from './hubspot-oauth.client';
import type { InstallationRepository } from './installation.repository';
import { sealTokens } from './oauth-tokens.service';
import type { PortalRegistry } from './portal-registry';
import { discoverStaticInstallation } from './static-installation';
import type { TokenCipher } from './token-cipher';

/**
 * The install flow of DESIGN.md §7: `/oauth/install` sends the browser to HubSpot's consent page with a
 * single-use state; HubSpot sends it back to `/oauth/callback` with a code, which is exchanged for
 * tokens; the token's metadata names the portal; the installation is stored with its tokens sealed.
 * Any failure before the installation is stored leaves nothing behind.
 */
export interface OAuthInstallService {
  /** Where to send the browser: HubSpot's authorize URL for this app, with a fresh state. */
  startInstall(): Promise<string>;
  /** Finishes a flow: returns the installed portal, or throws AppError BAD_REQUEST (nothing stored). */
  completeInstall(query: { code?: string; state?: string; error?: string }): Promise<{ portalId: number }>;
}

/** How long a started install may take before its state is refused. */
export const STATE_TTL_MS = 10 * 60 * 1000;

const scopesSchema = z.object({
  config: z.object({
    auth: z.object({ requiredScopes: z.array(z.string()), optionalScopes: z.array(z.string()).default([]) }),
  }),
});

/** The scopes the app asks for are the ones its HubSpot project declares: one list, in app-hsmeta.json. */
export const APP_SCOPES = scopesSchema.parse(appMeta).config.auth;

export interface OAuthInstallDeps {
  oauth: OAuthConfig;
  hubspotApiBaseUrl: string;
  redirectUri: string;
  installations: InstallationRepository;
  oauthClient: HubSpotOAuthClient;
  cipher: TokenCipher;
  portals: PortalRegistry;
  clock: Clock;
  metrics: MetricsRegistry;
  logger: Logger;
}

export function createOAuthInstallService(deps: OAuthInstallDeps): OAuthInstallService {
  return {
    async startInstall() {
      const state = randomBytes(24).toString('base64url');
      await deps.installations.saveState(state, new Date(deps.clock.now().getTime() + STATE_TTL_MS));
      const url = new URL(deps.oauth.authorizeUrl);
      url.searchParams.set('client_id', deps.oauth.clientId);
      url.searchParams.set('redirect_uri', deps.redirectUri);
      url.searchParams.set('scope', APP_SCOPES.requiredScopes.join(' '));
      if (APP_SCOPES.optionalScopes.length > 0)
        url.searchParams.set('optional_scope', APP_SCOPES.optionalScopes.join(' '));
      url.searchParams.set('state', state);
      return url.toString();
    },

    async completeInstall(query) {
      // The state is spent first, whatever follows: a replayed callback finds it gone.
      if (!query.state || !(await deps.installations.consumeState(query.state, deps.clock.now())))
        throw new AppError(
          'BAD_REQUEST',
          'This install link is invalid, already used or expired. Start again.',
        );
      if (query.error || !query.code)
        throw new AppError('BAD_REQUEST', 'HubSpot did not grant access, so nothing was installed.');
      let issued;
      try {
        issued = await deps.oauthClient.exchangeCode(query.code);
      } catch (error) {
        if (error instanceof GrantRefusedError)
          throw new AppError(
            'BAD_REQUEST',
            'HubSpot refused this authorization code (used or expired). Start again.',
          );
        throw error;
      }
      const info = await deps.oauthClient.accessTokenInfo(issued.accessToken);
      const portal = await discoverStaticInstallation({
        basePath: deps.hubspotApiBaseUrl,
        accessToken: issued.accessToken,
        metrics: deps.metrics,
      });
      const now = deps.clock.now();
      await deps.installations.saveInstallation({
        portalId: info.portalId,
        scopes: info.scopes,
        installedBy: { userId: info.userId, email: info.userEmail },
        ...sealTokens(deps.cipher, issued, now),
        timeZone: portal.timeZone,
        hubDomain: info.hubDomain,
        now,
      });
      await deps.portals.reload();
      deps.logger.info('portal installed', { portalId: info.portalId, scopes: info.scopes.length });
      return { portalId: info.portalId };
    },
  };
}
