import type { Clock } from '../../platform/clock';
import { defineModule } from '../../platform/module';
import type { PortalRegistry } from '../portals';
import { insightsMigration } from './0008-insights.migration';
import { insightFiguresMigration } from './0014-insight-figures.migration';
import {
  createClosedDealHistoryService,
  HISTORY_BATCH_SIZE,
  type ClosedDealHistoryDeps,
} from './closed-deal-history.service';
import type {
  InsightCapacityTable,
  InsightClosedDealStepsTable,
  InsightClosedDealsTable,
  InsightOpenFiguresTable,
  InsightOutcomeFiguresTable,
  InsightPendingDealsTable,
  InsightWonMonthsTable,
} from './insights.tables';
import { createInsightsRepository, type InsightsRepository } from './insights.repository';
import { createInsightsRouter } from './insights.route';
import { createInsightsService, type InsightsServiceDeps } from './insights.service';
import { reportCommand } from './report.command';

export type { InsightsRepository } from './insights.repository';
export type { InsightsService } from './insights.service';
export type { ClosedDealHistoryService } from './closed-deal-history.service';
export { complianceTable, demandTable, formatCsv, formatTable, outcomesTable } from './insights-report.util';

declare module '../../platform/db/store' {
  interface StoreRepositories {
    insights: InsightsRepository;
  }
}

declare module '../../platform/db/database.types' {
  interface Database {
    insight_closed_deals: InsightClosedDealsTable;
    insight_closed_deal_steps: InsightClosedDealStepsTable;
    insight_pending_deals: InsightPendingDealsTable;
    insight_capacity: InsightCapacityTable;
    insight_open_figures: InsightOpenFiguresTable;
    insight_outcome_figures: InsightOutcomeFiguresTable;
    insight_won_months: InsightWonMonthsTable;
  }
}

/** How often queued deals' closed history is read from HubSpot. */
export const HISTORY_INTERVAL_MS = 5_000;

/**
 * The managers' dashboard (DESIGN.md §7 "Insights"): compliance of open deals, outcomes of closed ones
 * per step and playbook version, and the S&OP demand view; kept from the deals' own changes.
 */
export const insightsModule = defineModule({
  name: 'insights',
  migrations: { '0008-insights': insightsMigration, '0014-insight-figures': insightFiguresMigration },
  repositories: (ctx) => ({ insights: createInsightsRepository(ctx) }),
  create: (
    deps: InsightsServiceDeps & ClosedDealHistoryDeps & { clock: Clock; portals: PortalRegistry },
  ) => ({
    insights: createInsightsService(deps),
    closedDealHistory: createClosedDealHistoryService(deps),
  }),
  routes: createInsightsRouter,
  // Closing, reopening or deleting a deal changes its outcome: queued here, read from HubSpot by the job.
  onDealsChanged:
    ({ closedDealHistory }) =>
    (portalId, dealIds, now) =>
      closedDealHistory.markChanged(portalId, dealIds, now),
  jobs: ({ closedDealHistory, clock }) => [
    {
      name: 'closed-deal-history',
      intervalMs: HISTORY_INTERVAL_MS,
      deferWhileIntakeBusy: true,
      run: async () => {
        // A full batch means more are queued (a backfill): keep going rather than wait for the next tick.
        while ((await closedDealHistory.recordPending(clock.now())) === HISTORY_BATCH_SIZE);
      },
    },
  ],
  commands: [reportCommand],
});
