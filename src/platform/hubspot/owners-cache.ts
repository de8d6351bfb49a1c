import type { HubSpotOwner, OwnersApi } from './owners.api';

/** HubSpot's owners and teams change rarely, while a sweep, a page of requests or a deadline run asks about many. */
export const OWNERS_TTL_MS = 10 * 60 * 1000;

export interface CachedOwners {
  /** The portal's owners, read once per portal and kept for `ttlMs`; a failed read is never cached. */
  list(portalId: number, now: Date): Promise<HubSpotOwner[]>;
}

export function createCachedOwners(ownersApi: OwnersApi, ttlMs = OWNERS_TTL_MS): CachedOwners {
  const byPortal = new Map<number, { readAtMs: number; owners: Promise<HubSpotOwner[]> }>();
  return {
    list(portalId, now) {
      const cached = byPortal.get(portalId);
      if (cached && now.getTime() - cached.readAtMs < ttlMs && now.getTime() >= cached.readAtMs) {
        return cached.owners;
      }
      const owners = ownersApi.list(portalId);
      byPortal.set(portalId, { readAtMs: now.getTime(), owners });
      // A failed read must not be served from the cache until it expires: the next caller tries again.
      owners.catch(() => byPortal.delete(portalId));
      return owners;
    },
  };
}
