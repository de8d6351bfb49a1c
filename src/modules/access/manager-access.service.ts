import { AppError } from '../../platform/errors/app-error';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { Clock } from '../../platform/clock';

/** How long a "is this user a super admin" answer is trusted: a settings session makes many requests. */
export const SUPER_ADMIN_CACHE_TTL_MS = 60_000;
const MAX_CACHED_USERS = 5_000;

export const NOT_A_MANAGER_MESSAGE =
  "Only the portal's super admins and the users listed in MANAGER_USER_IDS can change the playbook.";

export interface EditAccess {
  canEdit: boolean;
  /** Why the user cannot edit; null when they can. */
  reason: string | null;
}

/**
 * Who may change a portal's playbook: its HubSpot super admins (HubSpot's Users API) and the users the
 * operator named in MANAGER_USER_IDS. Only HubSpot's answer is cached; the configured list is not.
 */
export interface ManagerAccess {
  describeAccess(portalId: number, userId: string): Promise<EditAccess>;
  /** Throws FORBIDDEN with the reason when the user may not change the playbook. */
  requireManager(portalId: number, userId: string): Promise<void>;
}

export function createManagerAccess(deps: {
  hubspot: Pick<HubSpotApis, 'users'>;
  managerUserIds: readonly string[];
  clock: Clock;
}): ManagerAccess {
  const { hubspot, clock } = deps;
  const managers = new Set(deps.managerUserIds);
  const superAdmins = new Map<string, { superAdmin: boolean; expiresAtMs: number }>();

  const isSuperAdmin = async (portalId: number, userId: string) => {
    const key = `${portalId}:${userId}`;
    const nowMs = clock.now().getTime();
    const cached = superAdmins.get(key);
    if (cached && cached.expiresAtMs > nowMs) return cached.superAdmin;
    // A failed lookup throws and is not cached: the next request asks HubSpot again.
    const user = await hubspot.users.get(portalId, userId);
    const superAdmin = user?.superAdmin ?? false;
    superAdmins.delete(key);
    if (superAdmins.size >= MAX_CACHED_USERS) superAdmins.delete(superAdmins.keys().next().value as string);
    superAdmins.set(key, { superAdmin, expiresAtMs: nowMs + SUPER_ADMIN_CACHE_TTL_MS });
    return superAdmin;
  };

  const describeAccess = async (portalId: number, userId: string): Promise<EditAccess> => {
    if (managers.has(userId) || (await isSuperAdmin(portalId, userId)))
      return { canEdit: true, reason: null };
    return { canEdit: false, reason: NOT_A_MANAGER_MESSAGE };
  };

  return {
    describeAccess,
    async requireManager(portalId, userId) {
      const access = await describeAccess(portalId, userId);
      if (!access.canEdit) throw new AppError('FORBIDDEN', access.reason ?? NOT_A_MANAGER_MESSAGE);
    },
  };
}
