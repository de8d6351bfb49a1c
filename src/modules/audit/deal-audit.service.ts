import type { GuidanceService } from '../guidance';
import type { Store } from '../../platform/db';
import type { AuditEntry } from './audit-entry.schema';
import { buildAuditEntries } from './audit-trail.util';

/** Who changed what on a deal, and when: for the card's history and for compliance exports. */
export interface DealAuditService {
  /** One deal's trail, newest first; 404 for a deal the portal does not have. */
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
      // Sequential on purpose: a SQLite store has one connection.
      const records = await store.auditTrail.listAuditRecords(portalId, { dealId });
      const exceptions = await store.exceptions.listExceptionHistory(portalId, { dealId });
      return buildAuditEntries(records, exceptions).reverse();
    },
    async listPortalAudit(portalId, options = {}) {
      const filter = options.since ? { since: options.since } : {};
      const records = await store.auditTrail.listAuditRecords(portalId, filter);
      const exceptions = await store.exceptions.listExceptionHistory(portalId, filter);
      const since = options.since?.toISOString();
      // An exception recorded before `since` may have been decided after it: only its later entries count.
      return buildAuditEntries(records, exceptions).filter(
        (entry) => since === undefined || entry.at >= since,
      );
    },
  };
}
