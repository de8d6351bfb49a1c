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
  /** From this instance's snapshot: may lag another instance's install by a notification's delivery. */
  isInstalled(portalId: number): boolean;
  /**
   * Before refusing anything to a portal: the snapshot, and on a miss the database, so that an install
   * another instance committed a moment ago is served here at once (and joins the snapshot).
   */
  confirmInstalled(portalId: number): Promise<boolean>;
  tokenForPortal(portalId: number): Promise<string | null> | string | null;
  /** HubSpot answered 401 to `token`: OAuth refreshes it (a static token has nothing to refresh). */
  tokenRejected(portalId: number, token: string): Promise<void>;
  timeZoneOf(portalId: number): string;
  installedPortalIds(): number[];
  /**
   * Re-reads the OAuth installations from the database (a no-op with static auth): on PostgreSQL as soon
   * as another instance installs, uninstalls or purges one (a notification), and every reload interval
   * in case a notification was lost.
   */
  reload(): Promise<void>;
}

export const DEFAULT_TIME_ZONE = 'UTC';

/** The backstop re-read: notifications make installs and uninstalls visible long before it. */
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
  const isInstalled = (portalId: number) => staticByPortal.has(portalId) || oauthTimeZones.has(portalId);
  // Notifications can come in bursts: one re-read at a time, and one more if any arrived meanwhile.
  let reloading: Promise<void> | null = null;
  let reloadAgain = false;
  const readInstalled = async () => {
    const installed = await store.installations.listInstalled();
    oauthTimeZones = new Map(installed.map((row) => [row.portalId, row.timeZone]));
  };
  const registry = {
    isInstalled,
    async confirmInstalled(portalId: number) {
      if (isInstalled(portalId)) return true;
      if (!oauth) return false;
      // Not cached when absent: HubSpot sends events only for portals that installed the app, so a miss
      // is an install this instance has not heard of yet, or an uninstalled portal's last stragglers.
      const [found] = await store.installations.findInstalled([portalId]);
      if (!found) return false;
      oauthTimeZones.set(found.portalId, found.timeZone);
      return true;
    },
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
      if (reloading) {
        reloadAgain = true;
        return reloading;
      }
      reloading = (async () => {
        try {
          do {
            reloadAgain = false;
            await readInstalled();
          } while (reloadAgain);
        } finally {
          reloading = null;
        }
      })();
      return reloading;
    },
    /** This instance just saw the portal uninstalled: stop serving it before the next reload. */
    forget(portalId: number) {
      oauthTimeZones.delete(portalId);
    },
  };
  await registry.reload();
  if (oauth)
    await store.installations.watchInstallations(() => void registry.reload().catch(() => undefined));
  return registry;
}
