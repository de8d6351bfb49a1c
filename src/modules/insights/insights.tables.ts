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

/** Live deals summed per group (0014-insight-figures); '' stands for no owner / no close month. */
export interface InsightOpenFiguresTable {
  portal_id: number;
  pipeline_id: string;
  stage_id: string;
  owner_id: string;
  close_month: string;
  /** 1: stalled or with open exceptions. */
  at_risk: number;
  deals: number;
  ready: number;
  blocked: number;
  stalled: number;
  open_exceptions: number;
  amount: number;
}

/**
 * Closed deals as histograms: per close day (days since the epoch, UTC) and owner ('*': every owner), by
 * kind and group.
 */
export interface InsightOutcomeFiguresTable {
  portal_id: number;
  pipeline_id: string;
  closed_day: number;
  owner_id: string;
  /** cycle: grp = playbook version; step-cycle: grp = `step:1|0` (completed); step-days: grp = step. */
  kind: string;
  grp: string;
  /** A bin of days (insight-figures.sql.ts); -1 unknown. */
  bucket: number;
  deals: number;
  won: number;
  /** The bin's days summed: its mean is what the dashboard shows. */
  days: number;
}

export interface InsightWonMonthsTable {
  portal_id: number;
  pipeline_id: string;
  close_month: string;
  owner_id: string;
  deals: number;
  amount: number;
}
