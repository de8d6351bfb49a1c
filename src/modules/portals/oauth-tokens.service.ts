import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/observability/logger';
import { GrantRefusedError, type HubSpotOAuthClient, type IssuedTokens } from './hubspot-oauth.client';
import type { InstallationRepository, SealedTokens, StoredInstallation } from './installation.repository';
import type { TokenCipher } from './token-cipher';

/**
 * Access tokens of OAuth installations (DESIGN.md §7). A token is used until shortly before it expires,
 * then refreshed once per portal across every instance: the refresh runs with the installation locked
 * (installation.repository.ts), and an instance that waited on the lock finds the token another one just
 * stored and uses it instead of refreshing again. Within one process, callers of one portal share one
 * refresh. A refresh HubSpot refuses for a revoked refresh token uninstalls the portal.
 */
export interface OAuthTokens {
  /** The portal's access token, refreshed if it is about to expire; null when it is not installed. */
  accessToken(portalId: number): Promise<string | null>;
  /** HubSpot answered 401 to `rejected`: the next token is a refreshed one (unless another already is). */
  tokenRejected(portalId: number, rejected: string): Promise<void>;
}

/** Refresh this long before HubSpot's expiry, so no request leaves with a token about to lapse. */
export const REFRESH_AHEAD_MS = 5 * 60 * 1000;

export interface OAuthTokensDeps {
  installations: InstallationRepository;
  oauthClient: HubSpotOAuthClient;
  cipher: TokenCipher;
  clock: Clock;
  logger: Logger;
  /** Told when HubSpot revoked a portal's refresh token, after the installation is marked uninstalled. */
  onUninstalled: (portalId: number) => void;
}

interface CachedToken {
  token: string;
  expiresAtMs: number;
}

export function sealTokens(cipher: TokenCipher, issued: IssuedTokens, now: Date): SealedTokens {
  return {
    sealedRefreshToken: cipher.seal(issued.refreshToken),
    sealedAccessToken: cipher.seal(issued.accessToken),
    accessTokenExpiresAt: new Date(now.getTime() + issued.expiresInSeconds * 1000),
    issuedAt: now,
  };
}

export function createOAuthTokens(deps: OAuthTokensDeps): OAuthTokens {
  const cache = new Map<number, CachedToken>();
  const inFlight = new Map<number, Promise<string | null>>();
  const fresh = (expiresAtMs: number) => expiresAtMs - REFRESH_AHEAD_MS > deps.clock.now().getTime();

  const usable = (installation: StoredInstallation, rejected: string | null): CachedToken | null => {
    if (!installation.sealedAccessToken || !installation.accessTokenExpiresAt) return null;
    const expiresAtMs = installation.accessTokenExpiresAt.getTime();
    if (!fresh(expiresAtMs)) return null;
    const token = deps.cipher.open(installation.sealedAccessToken);
    return token === rejected ? null : { token, expiresAtMs };
  };

  const refresh = async (portalId: number, rejected: string | null): Promise<string | null> => {
    let revoked = false;
    const token = await deps.installations.withInstallationLocked(portalId, async (installation) => {
      if (!installation || installation.status !== 'installed') return { value: null };
      // Another instance may have refreshed while we waited for the lock.
      const stored = usable(installation, rejected);
      if (stored) {
        cache.set(portalId, stored);
        return { value: stored.token };
      }
      const now = deps.clock.now();
      let issued: IssuedTokens;
      try {
        issued = await deps.oauthClient.refresh(deps.cipher.open(installation.sealedRefreshToken));
      } catch (error) {
        if (error instanceof GrantRefusedError && error.refreshTokenRevoked) {
          revoked = true;
          return { value: null };
        }
        throw error;
      }
      const tokens = sealTokens(deps.cipher, issued, now);
      cache.set(portalId, { token: issued.accessToken, expiresAtMs: tokens.accessTokenExpiresAt.getTime() });
      return { tokens, value: issued.accessToken };
    });
    if (revoked) {
      cache.delete(portalId);
      await deps.installations.markUninstalled(portalId, deps.clock.now());
      deps.logger.warn('HubSpot revoked the refresh token: portal marked uninstalled', { portalId });
      deps.onUninstalled(portalId);
    }
    return token;
  };

  const singleFlight = (portalId: number, rejected: string | null): Promise<string | null> => {
    const running = inFlight.get(portalId);
    if (running) return running;
    const started = refresh(portalId, rejected).finally(() => inFlight.delete(portalId));
    inFlight.set(portalId, started);
    return started;
  };

  return {
    async accessToken(portalId) {
      const cached = cache.get(portalId);
      if (cached && fresh(cached.expiresAtMs)) return cached.token;
      return singleFlight(portalId, null);
    },
    async tokenRejected(portalId, rejected) {
      const cached = cache.get(portalId);
      if (cached?.token === rejected) cache.delete(portalId);
      await singleFlight(portalId, rejected);
    },
  };
}
