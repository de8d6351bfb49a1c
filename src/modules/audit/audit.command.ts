import type { DealAuditService } from './deal-audit.service';
import { formatAuditCsvHeader, formatAuditCsvRow } from './audit-csv.util';
import { AppError } from '../../platform/errors/app-error';
import { parseIsoFlag, stringFlag } from '../../platform/cli/cli-args';
import type { CliCommand } from '../../platform/cli/cli-command';

/**
 * `sop-guide audit --portal <id> [--since <date>]`: the audit trail of every deal of a portal as CSV on
 * stdout (stage changes, checklist ticks and unticks, snoozes, exceptions with their reasons, decisions
 * and moves back), oldest first, for compliance reviews.
 */
export const auditCommand: CliCommand<{ audit: DealAuditService }> = {
  name: 'audit',
  usage: 'sop-guide audit --portal <id> [--since <date>]',
  summary: "export a portal's audit trail (stage changes, checklist ticks, snoozes, exceptions) as CSV",
  flags: { portal: 'string', since: 'string' },
  async run(args, io, openServices) {
    const portal = stringFlag(args, 'portal');
    if (portal === null || !/^\d+$/.test(portal) || Number(portal) <= 0) {
      throw new AppError('BAD_REQUEST', '--portal: expected a HubSpot portal id (digits)');
    }
    const since = parseIsoFlag(args, 'since');
    return openServices(async (services) => {
      const entries = await services.audit.listPortalAudit(Number(portal), since ? { since } : {});
      io.out(formatAuditCsvHeader());
      for (const entry of entries) io.out(formatAuditCsvRow(entry));
      return 0;
    });
  },
};
