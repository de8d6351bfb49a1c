import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { HubSpotOwner } from '../../platform/hubspot/owners.api';

/** HubSpot's owners change rarely, and a page of requests or a deadline run asks about many of them. */
export const OWNERS_TTL_MS = 10 * 60 * 1000;

/**
 * HubSpot users and owners are different numbers: the owners API's userId links them (DESIGN.md §7).
 * The list is read once per portal and kept for a while; a failed read is never cached.
 */
export function createOwnerLookup(hubspot: Pick<HubSpotApis, 'owners'>, ttlMs = OWNERS_TTL_MS) {
  const byPortal = new Map<number, { readAtMs: number; owners: Promise<HubSpotOwner[]> }>();

  const ownersOf = (portalId: number, now: Date) => {
    const cached = byPortal.get(portalId);
    if (cached && now.getTime() - cached.readAtMs < ttlMs && now.getTime() >= cached.readAtMs) {
      return cached.owners;
    }
    const owners = hubspot.owners.list(portalId);
    byPortal.set(portalId, { readAtMs: now.getTime(), owners });
    owners.catch(() => byPortal.delete(portalId));
    return owners;
  };

  return {
    /** The portal's owners, from the cache while it is fresh. */
    list: ownersOf,
    /** The owner id of a HubSpot user; null when the user owns nothing in HubSpot. */
    async ownerIdOfUser(portalId: number, userId: string, now: Date): Promise<string | null> {
      return (await ownersOf(portalId, now)).find((owner) => owner.userId === userId)?.id ?? null;
    },
    /** The teams of an owner, primary first; empty for an owner HubSpot does not list. */
    async teamIdsOfOwner(portalId: number, ownerId: string, now: Date): Promise<string[]> {
      const owner = (await ownersOf(portalId, now)).find((candidate) => candidate.id === ownerId);
      return [...(owner?.teams ?? [])]
        .sort((a, b) => Number(b.primary) - Number(a.primary))
        .map((team) => team.id);
    },
  };
}

export type OwnerLookup = ReturnType<typeof createOwnerLookup>;
