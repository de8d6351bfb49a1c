import type { PortalsTable } from '../../platform/db/database.types';
import {
  fromEpochMsOrNull,
  toEpochMs,
  toEpochMsOrNull,
  type StoreContext,
} from '../../platform/db/store-context';

export interface Portal {
  portalId: number;
  timeZone: string;
  hubDomain: string | null;
  installedAt: Date;
  uninstalledAt: Date | null;
}

export interface UpsertPortalInput {
  portalId: number;
  timeZone: string;
  hubDomain?: string | null;
  installedAt: Date;
  /** Leave out (or null) on install and reinstall; set when HubSpot reports the app was removed. */
  uninstalledAt?: Date | null;
}

export interface PortalRepository {
  upsertPortal(input: UpsertPortalInput, options?: { now?: Date }): Promise<Portal>;
}

function toPortal(row: PortalsTable): Portal {
  return {
    portalId: row.portal_id,
    timeZone: row.time_zone,
    hubDomain: row.hub_domain,
    installedAt: new Date(row.installed_at),
    uninstalledAt: fromEpochMsOrNull(row.uninstalled_at),
  };
}

export function createPortalRepository(ctx: StoreContext): PortalRepository {
  const { db } = ctx;
  return {
    async upsertPortal(input, options = {}) {
      const row: PortalsTable = {
        portal_id: input.portalId,
        time_zone: input.timeZone,
        hub_domain: input.hubDomain ?? null,
        installed_at: toEpochMs(input.installedAt),
        uninstalled_at: toEpochMsOrNull(input.uninstalledAt),
        updated_at: toEpochMs(options.now ?? new Date()),
      };
      const saved = await db
        .insertInto('portals')
        .values(row)
        .onConflict((oc) =>
          oc.column('portal_id').doUpdateSet((eb) => ({
            time_zone: eb.ref('excluded.time_zone'),
            // A later upsert that does not know the domain must not erase the one we have.
            hub_domain: eb.fn.coalesce('excluded.hub_domain', 'portals.hub_domain'),
            installed_at: eb.ref('excluded.installed_at'),
            uninstalled_at: eb.ref('excluded.uninstalled_at'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toPortal(saved);
    },
  };
}
