import type { GuidanceService } from '../guidance';
import type { Store } from '../../platform/db';
import type { AuditEntry } from './audit-entry.schema';
import { buildAuditEntries } from './audit-trail.util';

/** Who changed what on a deal, and when: for the card's history and for compliance exports. */
export interface DealAuditService {
  /** One deal's trail; 404 for a deal the portal does not have. */
  listDealAudit(portalId: number, dealId: string, now: Date): Promise<AuditEntry[]>;
  /** Every deal of a portal, oldest first (the CSV export). */
  listPortalAudit(portalId: number, options?: { since?: Date }): Promise<AuditEntry[]>;
}

export function createDealAuditService(deps: {
  store: Store;
  guidance: Pick<GuidanceService, 'loadDeal'>;
}): DealAuditService {
  const { store, guidance } = deps;
  return {
    async listDealAudit(portalId, dealId, now) {
      // The same tenancy answer as the guidance: another portal's deal does not exist here.
      await guidance.loadDeal(portalId, dealId, now);
      return buildAuditEntries(await store.auditTrail.listAuditRecords(portalId, { dealId }));
    },
    async listPortalAudit(portalId, options = {}) {
      return buildAuditEntries(
        await store.auditTrail.listAuditRecords(portalId, options.since ? { since: options.since } : {}),
      );
    },
  };
}
