import type { HubSpotOwner, OwnersApi } from '../../platform/hubspot/owners.api';

/**
 * Owners and their teams, per portal, for routing escalations to the team's manager. Teams change
 * rarely and a sweep may escalate many deals, so the list is read once per portal and kept for a while
 * rather than fetched per deal.
 */
export const OWNER_DIRECTORY_TTL_MS = 10 * 60 * 1000;

export interface OwnerDirectory {
  /** The owner, or null when HubSpot does not list them (deactivated, or no owner id). */
  findOwner(portalId: number, ownerId: string | null, now: Date): Promise<HubSpotOwner | null>;
}

export function createOwnerDirectory(ownersApi: OwnersApi, ttlMs = OWNER_DIRECTORY_TTL_MS): OwnerDirectory {
  const byPortal = new Map<number, { readAtMs: number; owners: Promise<Map<string, HubSpotOwner>> }>();

  const ownersOf = (portalId: number, now: Date) => {
    const cached = byPortal.get(portalId);
    if (cached && now.getTime() - cached.readAtMs < ttlMs && now.getTime() >= cached.readAtMs) {
      return cached.owners;
    }
    const owners = ownersApi.list(portalId).then((list) => new Map(list.map((owner) => [owner.id, owner])));
    byPortal.set(portalId, { readAtMs: now.getTime(), owners });
    // A failed read must not be served from the cache until it expires: the next caller tries again.
    owners.catch(() => byPortal.delete(portalId));
    return owners;
  };

  return {
    async findOwner(portalId, ownerId, now) {
      if (ownerId === null) return null;
      return (await ownersOf(portalId, now)).get(ownerId) ?? null;
    },
  };
}
