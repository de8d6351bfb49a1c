import type {
  ComplianceResponse,
  DemandResponse,
  OutcomeFigures,
  OutcomesResponse,
} from '../../../extensions/app/pages/src/insights-response.schema';

/** A report as rows: what the CLI prints as CSV or as a table, and what the demo shows. */
export interface ReportTable {
  header: string[];
  rows: string[][];
}

const percent = (figures: OutcomeFigures) =>
  figures.tooFew ? 'too few' : figures.winRate === null ? '' : `${Math.round(figures.winRate * 100)}%`;
const days = (value: number | null | undefined, tooFew?: true) =>
  tooFew ? 'too few' : value === null || value === undefined ? '' : String(value);
const money = (value: number | undefined) => (value === undefined ? '' : value.toFixed(2));

export function complianceTable(report: ComplianceResponse): ReportTable {
  const header = ['group', 'id', 'name', 'step', 'open', 'ready', 'blocked', 'stalled', 'openExceptions'];
  const counts = (f: Omit<ComplianceResponse['byOwner'][number], 'ownerId' | 'name'>) =>
    [f.open, f.ready, f.blocked, f.stalled, f.openExceptions].map(String);
  return {
    header,
    rows: [
      ...report.byStage.map((s) => ['stage', s.stageId, s.label, s.stepId ?? '', ...counts(s)]),
      ...report.byOwner.map((o) => ['owner', o.ownerId ?? '', o.name, '', ...counts(o)]),
    ],
  };
}

export function outcomesTable(report: OutcomesResponse): ReportTable {
  const figures = (f: OutcomeFigures) => [
    String(f.closed),
    String(f.won),
    percent(f),
    days(f.medianCycleDays, f.tooFew),
  ];
  return {
    header: [
      'group',
      'key',
      'closed',
      'won',
      'winRate',
      'medianCycleDays',
      'medianDaysInStep',
      'p90DaysInStep',
    ],
    rows: [
      ['overall', '', ...figures(report.overall), '', ''],
      ...report.bySteps.flatMap((step) => [
        ['step completed', step.stepId, ...figures(step.completed), '', ''],
        ['step not completed', step.stepId, ...figures(step.notCompleted), '', ''],
      ]),
      ...report.byPlaybookVersion.map((v) => [
        'playbook version',
        v.playbookVersion === null ? 'none' : `v${v.playbookVersion}`,
        ...figures(v),
        '',
        '',
      ]),
      ...report.timeInStep.map((t) => [
        'time in step',
        t.stepId,
        String(t.n),
        '',
        '',
        '',
        days(t.medianDays, t.tooFew),
        days(t.p90Days, t.tooFew),
      ]),
    ],
  };
}

export function demandTable(report: DemandResponse): ReportTable {
  return {
    header: [
      'month',
      'openDeals',
      'amount',
      'weightedAmount',
      'atRiskAmount',
      'wonAmount',
      'capacity',
      'gap',
    ],
    rows: [
      ...report.months.map((m) => [
        m.month,
        String(m.openDeals),
        money(m.amount),
        money(m.weightedAmount),
        money(m.atRiskAmount),
        money(m.wonAmount),
        money(m.capacity),
        money(m.gap),
      ]),
      [
        'no close date',
        String(report.withoutCloseDate.openDeals),
        money(report.withoutCloseDate.amount),
        '',
        '',
        '',
        '',
        '',
      ],
    ],
  };
}

/** RFC 4180: a cell with a comma, quote or line break is quoted, quotes doubled. */
function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function formatCsv(table: ReportTable): string[] {
  return [table.header, ...table.rows].map((row) => row.map(csvCell).join(','));
}

/** Columns padded to their widest cell; numbers right-aligned so that they line up. */
export function formatTable(table: ReportTable): string[] {
  const all = [table.header, ...table.rows];
  const widths = table.header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  const numeric = (value: string) => /^-?[\d.]+%?$/.test(value);
  return all.map((row) =>
    row
      .map((cell, column) => (numeric(cell) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd(),
  );
}
