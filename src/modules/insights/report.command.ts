import { AppError } from '../../platform/errors/app-error';
import { stringFlag } from '../../platform/cli/cli-args';
import type { CliCommand } from '../../platform/cli/cli-command';
import { resolvePortal } from '../../platform/cli/resolve-portal';
import type { Clock } from '../../platform/clock';
import type { PortalRegistry } from '../portals';
import {
  complianceTable,
  demandTable,
  formatCsv,
  formatTable,
  outcomesTable,
  type ReportTable,
} from './insights-report.util';
import type { InsightsService } from './insights.service';
import type { ClosedDealHistoryService } from './closed-deal-history.service';
import { DEFAULT_DEMAND_MONTHS } from './insights.route';

const REPORTS = ['demand', 'compliance', 'outcomes'] as const;
type ReportName = (typeof REPORTS)[number];

/**
 * `sop-guide report demand|compliance|outcomes [--format csv|table]`: the dashboard's figures for the
 * operator (every deal, as a manager sees them), e.g. the S&OP demand as CSV for operations planning.
 */
export const reportCommand: CliCommand<{
  insights: InsightsService;
  closedDealHistory: ClosedDealHistoryService;
  portals: PortalRegistry;
  clock: Clock;
}> = {
  name: 'report',
  usage:
    'sop-guide report demand|compliance|outcomes [--format csv|table] [--pipeline <id>] [--portal <id>] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--months <n>]',
  summary: 'print the insights (S&OP demand, compliance, outcomes) as CSV or a table',
  flags: {
    format: 'string',
    pipeline: 'string',
    portal: 'string',
    from: 'string',
    to: 'string',
    months: 'string',
  },
  async run(args, io, openServices) {
    const [name, ...extra] = args.positionals;
    if (!REPORTS.includes(name as ReportName) || extra.length > 0) {
      throw new AppError('BAD_REQUEST', `report: expected one of ${REPORTS.join(', ')}`);
    }
    const format = stringFlag(args, 'format') ?? 'table';
    if (format !== 'csv' && format !== 'table')
      throw new AppError('BAD_REQUEST', '--format: expected csv or table');
    const monthsFlag = stringFlag(args, 'months');
    const months = monthsFlag === null ? DEFAULT_DEMAND_MONTHS : Number(monthsFlag);
    if (!Number.isInteger(months) || months < 1 || months > 24)
      throw new AppError('BAD_REQUEST', '--months: expected a whole number from 1 to 24');
    const pipelineId = stringFlag(args, 'pipeline') ?? 'default';
    return openServices(async (services) => {
      const viewer = { portalId: resolvePortal(services.portals, args), userId: null };
      const now = services.clock.now();
      // Closed deals queued by a backfill (or by webhooks while no service ran) are recorded first, so the
      // report is current without a running service.
      while ((await services.closedDealHistory.recordPending(now)) > 0);
      let table: ReportTable;
      if (name === 'demand') {
        table = demandTable(await services.insights.demand(viewer, { pipelineId, months }, now));
      } else if (name === 'compliance') {
        table = complianceTable(await services.insights.compliance(viewer, { pipelineId }));
      } else {
        const from = stringFlag(args, 'from');
        const to = stringFlag(args, 'to');
        table = outcomesTable(
          await services.insights.outcomes(
            viewer,
            { pipelineId, ...(from ? { from } : {}), ...(to ? { to } : {}) },
            now,
          ),
        );
      }
      for (const line of format === 'csv' ? formatCsv(table) : formatTable(table)) io.out(line);
      return 0;
    });
  },
};
