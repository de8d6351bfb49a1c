import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import { createCachedOwners } from '../../platform/hubspot/owners-cache';

/**
 * HubSpot users and owners are different numbers: the owners API's userId links them (DESIGN.md §7).
 * The list comes from the shared per-portal owners cache.
 */
export function createOwnerLookup(hubspot: Pick<HubSpotApis, 'owners'>) {
  const owners = createCachedOwners(hubspot.owners);
  return {
    /** The owner id of a HubSpot user; null when the user owns nothing in HubSpot. */
    async ownerIdOfUser(portalId: number, userId: string, now: Date): Promise<string | null> {
      return (await owners.list(portalId, now)).find((owner) => owner.userId === userId)?.id ?? null;
    },
    /** The teams of an owner, primary first; empty for an owner HubSpot does not list. */
    async teamIdsOfOwner(portalId: number, ownerId: string, now: Date): Promise<string[]> {
      const owner = (await owners.list(portalId, now)).find((candidate) => candidate.id === ownerId);
      return [...(owner?.teams ?? [])]
        .sort((a, b) => Number(b.primary) - Number(a.primary))
        .map((team) => team.id);
    },
  };
}

export type OwnerLookup = ReturnType<typeof createOwnerLookup>;
