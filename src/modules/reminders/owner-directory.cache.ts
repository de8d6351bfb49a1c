import type { HubSpotOwner, OwnersApi } from '../../platform/hubspot/owners.api';
import { createCachedOwners } from '../../platform/hubspot/owners-cache';

/**
 * Owners and their teams, per portal, for routing escalations to the team's manager. A sweep may
 * escalate many deals, so the list comes from the per-portal owners cache rather than a read per deal.
 */
export interface OwnerDirectory {
  /** The owner, or null when HubSpot does not list them (deactivated, or no owner id). */
  findOwner(portalId: number, ownerId: string | null, now: Date): Promise<HubSpotOwner | null>;
}

export function createOwnerDirectory(ownersApi: OwnersApi): OwnerDirectory {
  const owners = createCachedOwners(ownersApi);
  return {
    async findOwner(portalId, ownerId, now) {
      if (ownerId === null) return null;
      return (await owners.list(portalId, now)).find((owner) => owner.id === ownerId) ?? null;
    },
  };
}
