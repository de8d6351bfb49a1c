import type { ReminderKind } from '../../domain';

/** What the sweep did (or, in a dry run, would do) about one reminder: a row of the report. */
export type SweepAction =
  | 'created'
  | 'would create'
  | 'reconciled'
  | 'would reconcile'
  | 'would retry'
  | 'retry next sweep'
  | 'reconcile next sweep'
  | 'gave up'
  | 'completed'
  | 'would complete'
  | 'failed';

export interface SweepRow {
  portalId: number;
  dealId: string;
  dealName: string | null;
  /** Who the task is (or was) for. */
  assigneeOwnerId: string | null;
  stepId: string | null;
  daysStalled: number | null;
  kind: ReminderKind;
  action: SweepAction;
  detail?: string;
}

export interface SweepReport {
  /** False when another instance holds the sweep lock: this run did nothing. */
  ran: boolean;
  /** True when the caller stopped it between pages (Ctrl-C): the rest is left for the next sweep. */
  stopped: boolean;
  dryRun: boolean;
  now: string;
  portals: number;
  /** Deals read because they entered their stage before the earliest stallable time. */
  candidates: number;
  stalled: number;
  snoozed: number;
  /** Reminders due that an earlier sweep already sent. */
  alreadySent: number;
  /** Reminders another sweep is creating right now. */
  inFlight: number;
  rows: SweepRow[];
}

export function emptySweepReport(now: Date, dryRun: boolean): SweepReport {
  return {
    ran: true,
    stopped: false,
    dryRun,
    now: now.toISOString(),
    portals: 0,
    candidates: 0,
    stalled: 0,
    snoozed: 0,
    alreadySent: 0,
    inFlight: 0,
    rows: [],
  };
}

/** One portal's pass of a sweep (or of a webhook batch's closing of moved-on reminders). */
export interface PortalPass {
  portalId: number;
  now: Date;
  dryRun: boolean;
  /** The report this pass adds its rows and counts to (shared by the portals of one sweep). */
  report: SweepReport;
  /** Adds a row to the report, and counts it in the metrics unless this is a dry run. */
  record(row: SweepRow): void;
}
