import { HubSpotError } from './hubspot-error';
import { userSchema } from './hubspot-responses.schema';
import { parseResponse, type HubSpotTransport } from './hubspot-transport';

export interface HubSpotUser {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  roleIds: string[];
  primaryTeamId: string | null;
  secondaryTeamIds: string[];
  superAdmin: boolean;
}

/** The portal's HubSpot users (settings/v3/users): who may change playbooks. */
export interface UsersApi {
  /** null when the portal has no such user. */
  get(portalId: number, userId: string): Promise<HubSpotUser | null>;
}

export function createUsersApi(transport: HubSpotTransport): UsersApi {
  return {
    async get(portalId, userId) {
      const operation = 'getUser';
      try {
        const { data } = await transport.call(portalId, operation, { idempotent: true }, (apis) =>
          apis.users.getByIdWithHttpInfo(userId, 'USER_ID'),
        );
        const user = parseResponse(userSchema, data, operation, portalId);
        return {
          id: user.id,
          email: user.email,
          firstName: user.firstName ?? null,
          lastName: user.lastName ?? null,
          roleIds: user.roleIds ?? [],
          primaryTeamId: user.primaryTeamId ?? null,
          secondaryTeamIds: user.secondaryTeamIds ?? [],
          superAdmin: user.superAdmin ?? false,
        };
      } catch (error) {
        if (error instanceof HubSpotError && error.status === 404) return null;
        throw error;
      }
    },
  };
}
