import type { Store } from '../../platform/db';

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
  tokenForPortal(portalId: number): string | null;
  timeZoneOf(portalId: number): string;
  installedPortalIds(): number[];
}

export const DEFAULT_TIME_ZONE = 'UTC';

/** Records each installation in the store (so rows have a portal to belong to) and serves lookups from memory. */
export async function createPortalRegistry(
  store: Store,
  installations: readonly Installation[],
  now: Date,
): Promise<PortalRegistry> {
  const byPortal = new Map(installations.map((installation) => [installation.portalId, installation]));
  for (const installation of installations) {
    await store.portals.upsertPortal(
      { portalId: installation.portalId, timeZone: installation.timeZone, installedAt: now },
      { now },
    );
  }
  return {
    isInstalled: (portalId) => byPortal.has(portalId),
    tokenForPortal: (portalId) => byPortal.get(portalId)?.accessToken ?? null,
    timeZoneOf: (portalId) => byPortal.get(portalId)?.timeZone ?? DEFAULT_TIME_ZONE,
    installedPortalIds: () => [...byPortal.keys()],
  };
}
