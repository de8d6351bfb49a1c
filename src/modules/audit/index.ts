import type { Clock } from '../../platform/clock';
import { defineModule } from '../../platform/module';
import { auditCommand } from './audit.command';
import { createAuditTrailRepository, type AuditTrailRepository } from './audit-trail.repository';
import { createDealAuditRouter } from './deal-audit.route';
import { createDealAuditService } from './deal-audit.service';

export type { DealAuditService } from './deal-audit.service';
export { toCsvCell } from './audit-csv.util';
export type { AuditRecords, AuditTrailFilter, AuditTrailRepository } from './audit-trail.repository';

declare module '../../platform/db/store' {
  interface StoreRepositories {
    auditTrail: AuditTrailRepository;
  }
}

/** Every stage change, checklist tick, snooze and exception of a deal, for the card and compliance exports. */
export const auditModule = defineModule({
  name: 'audit',
  repositories: (ctx) => ({ auditTrail: createAuditTrailRepository(ctx) }),
  create: (deps: Parameters<typeof createDealAuditService>[0] & { clock: Clock }) => ({
    audit: createDealAuditService(deps),
  }),
  routes: createDealAuditRouter,
  commands: [auditCommand],
});
