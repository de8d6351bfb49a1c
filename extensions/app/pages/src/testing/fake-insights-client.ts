import type { InsightsClient, InsightsFilter } from '../insights-client';
import type { ComplianceResponse, DemandResponse, OutcomesResponse } from '../insights-response.schema';

/** Answers the pages' requests with canned figures and records the filters asked for. */
export class FakeInsightsClient implements InsightsClient {
  readonly complianceFilters: InsightsFilter[] = [];
  compliance: ComplianceResponse | Error = { pipelineId: 'default', byStage: [], byOwner: [] };
  outcomes: OutcomesResponse | Error = {
    pipelineId: 'default',
    from: '2026-09-01',
    to: '2026-11-30',
    overall: { closed: 0, won: 0, winRate: null, medianCycleDays: null, tooFew: true },
    bySteps: [],
    byPlaybookVersion: [],
    timeInStep: [],
  };
  demand: DemandResponse | Error = {
    pipelineId: 'default',
    months: [],
    withoutCloseDate: { openDeals: 0, amount: 0 },
  };

  async getCompliance(filter: InsightsFilter) {
    this.complianceFilters.push(filter);
    if (this.compliance instanceof Error) throw this.compliance;
    return this.compliance;
  }

  async getOutcomes() {
    if (this.outcomes instanceof Error) throw this.outcomes;
    return this.outcomes;
  }

  async getDemand() {
    if (this.demand instanceof Error) throw this.demand;
    return this.demand;
  }
}
