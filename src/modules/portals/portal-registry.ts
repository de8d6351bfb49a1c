import type { Store } from '../../platform/db';
import type { OAuthTokens } from './oauth-tokens.service';

/**
 * Which portals the app is installed in, and the token to use for each. Tenancy starts here: an event
 * or a card request for a portal without an installation is refused, and a HubSpot call for portal A
 * can only ever get portal A's token.
 */
export interface Installation {
  portalId: number;
  accessToken: string;
  timeZone: string;
}

export interface PortalRegistry {
  isInstalled(portalId: number): boolean;
  tokenForPortal(portalId: number): Promise<string | null> | string | null;
  /** HubSpot answered 401 to `token`: OAuth refreshes it (a static token has nothing to refresh). */
  tokenRejected(portalId: number, token: string): Promise<void>;
  timeZoneOf(portalId: number): string;
  installedPortalIds(): number[];
  /**
   * Re-reads the OAuth installations from the database: any instance may install or uninstall one, so
   * each serves a snapshot at most a reload interval old (a no-op with static auth).
   */
  reload(): Promise<void>;
}

export const DEFAULT_TIME_ZONE = 'UTC';

/** How long another instance's install or uninstall may go unseen here. */
export const RELOAD_INTERVAL_MS = 5_000;

/** Records each static installation in the store (so rows have a portal to belong to) and serves lookups from memory. */
export async function createPortalRegistry(
  store: Store,
  installations: readonly Installation[],
  now: Date,
  oauth: OAuthTokens | null = null,
): Promise<PortalRegistry & { forget(portalId: number): void }> {
  const staticByPortal = new Map(installations.map((installation) => [installation.portalId, installation]));
  for (const installation of installations) {
    await store.portals.upsertPortal(
      { portalId: installation.portalId, timeZone: installation.timeZone, installedAt: now },
      { now },
    );
  }
  let oauthTimeZones = new Map<number, string>();
  const registry = {
    isInstalled: (portalId: number) => staticByPortal.has(portalId) || oauthTimeZones.has(portalId),
    tokenForPortal: (portalId: number) => {
      const installation = staticByPortal.get(portalId);
      if (installation) return installation.accessToken;
      return oauth && oauthTimeZones.has(portalId) ? oauth.accessToken(portalId) : null;
    },
    async tokenRejected(portalId: number, token: string) {
      if (oauth && oauthTimeZones.has(portalId)) await oauth.tokenRejected(portalId, token);
    },
    timeZoneOf: (portalId: number) =>
      staticByPortal.get(portalId)?.timeZone ?? oauthTimeZones.get(portalId) ?? DEFAULT_TIME_ZONE,
    installedPortalIds: () => [...staticByPortal.keys(), ...oauthTimeZones.keys()],
    async reload() {
      if (!oauth) return;
      const installed = await store.installations.listInstalled();
      oauthTimeZones = new Map(installed.map((row) => [row.portalId, row.timeZone]));
    },
    /** This instance just saw the portal uninstalled: stop serving it before the next reload. */
    forget(portalId: number) {
      oauthTimeZones.delete(portalId);
    },
  };
  await registry.reload();
  return registry;
}
