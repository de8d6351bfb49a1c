/** The insights module's rows, as Kysely sees them (conventions in src/platform/db/database.types.ts). */
export interface InsightClosedDealsTable {
  portal_id: number;
  deal_id: string;
  pipeline_id: string;
  owner_id: string | null;
  /** 1 won, 0 lost. */
  won: number;
  amount: number | null;
  close_date: number;
  /** `2026-12`, UTC, of close_date: the demand view groups won amounts by it. */
  close_month: string;
  closed_at: number;
  cycle_days: number | null;
  playbook_version: number | null;
  updated_at: number;
}

export interface InsightClosedDealStepsTable {
  portal_id: number;
  deal_id: string;
  step_id: string;
  days: number;
  completed: number | null;
}

export interface InsightPendingDealsTable {
  portal_id: number;
  deal_id: string;
  marked_at: number;
  attempts: number;
}

export interface InsightCapacityTable {
  portal_id: number;
  month: string;
  amount: number;
  updated_by: string | null;
  updated_at: number;
}
