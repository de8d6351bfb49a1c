import type { StoreDialect } from '../../platform/db/store-context';

/**
 * The SQL that keeps the insights' figures (DESIGN.md §7, issue 14 "fast at scale"): one function per
 * figure table builds "what these rows contribute" as an INSERT ... SELECT ... GROUP BY that adds into the
 * table. The database triggers (one per source change: a deal written, its write-back verdict, an
 * exception opened or settled, a closed deal or step recorded) run it with the old row at -1 and the new
 * at +1, in the writing statement's own transaction; the migration runs it once over every row. One
 * builder for both, so the incremental figures and a from-scratch build cannot drift apart.
 *
 * Nulls in key columns are kept as '' (owner, close month, playbook version): a unique key never matches
 * NULL, and the upsert needs it to.
 */

/** Where a deal's columns come from: a trigger's OLD/NEW row, or the deals table itself. */
export interface DealRowSource {
  /** A FROM clause exposing the alias `d` with the deals table's columns. */
  from: string;
  /** Extra condition on `d` (with the leading AND), e.g. which deal a writeback trigger concerns. */
  where?: string;
}

/** A trigger row as a one-row derived table `d` with the named columns. */
export function rowSource(row: 'NEW' | 'OLD', columns: readonly string[]): DealRowSource {
  return { from: `(SELECT ${columns.map((column) => `${row}.${column} AS ${column}`).join(', ')}) d` };
}

export const DEAL_COLUMNS = [
  'portal_id',
  'deal_id',
  'pipeline_id',
  'stage_id',
  'owner_id',
  'properties',
  'deleted_at',
] as const;

export const CLOSED_DEAL_COLUMNS = [
  'portal_id',
  'deal_id',
  'pipeline_id',
  'owner_id',
  'won',
  'amount',
  'close_month',
  'closed_at',
  'cycle_days',
  'playbook_version',
] as const;

const DAY_MS = 86_400_000;

function jsonText(dialect: StoreDialect, column: string, key: string): string {
  return dialect === 'postgres' ? `(${column}::jsonb ->> '${key}')` : `json_extract(${column}, '$.${key}')`;
}

/** `2026-12` from HubSpot's closedate (an ISO date, or epoch ms); '' without a usable one. */
function closeMonthSql(dialect: StoreDialect, closeDate: string): string {
  const digitsOnly =
    dialect === 'postgres'
      ? `${closeDate} ~ '^[0-9]+$'`
      : `${closeDate} <> '' AND ${closeDate} NOT GLOB '*[^0-9]*'`;
  const fromEpochMs =
    dialect === 'postgres'
      ? `to_char(to_timestamp(${closeDate}::bigint / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM')`
      : `strftime('%Y-%m', CAST(${closeDate} AS INTEGER) / 1000, 'unixepoch')`;
  return `COALESCE(CASE WHEN ${closeDate} LIKE '____-__-%' THEN substr(${closeDate}, 1, 7)
    WHEN ${digitsOnly} THEN ${fromEpochMs} END, '')`;
}

/** HubSpot's amount as a number; 0 when it is empty or not a number (the deal still counts). */
function amountSql(dialect: StoreDialect, amount: string): string {
  return dialect === 'postgres'
    ? `COALESCE(CASE WHEN ${amount} ~ '^-?[0-9]+([.][0-9]+)?$' THEN (${amount})::double precision END, 0)`
    : `COALESCE(CASE WHEN trim(${amount}) GLOB '*[0-9]*' THEN CAST(${amount} AS REAL) END, 0)`;
}

/**
 * Days as histogram buckets: tenths of a day below one day, then bins 10% wide; -1 when unknown. Each
 * bucket also sums its days, so the dashboard shows a bucket's mean: exact when its deals share a value,
 * within its 10% otherwise. A few dozen buckets per group keep a day's rows few at any deal count.
 */
function bucketSql(days: string): string {
  return `(CASE WHEN ${days} IS NULL THEN -1
    WHEN ${days} < 1 THEN CAST(floor(${days} * 10) AS INTEGER)
    ELSE 10 + CAST(floor(ln(${days}) / ln(1.1)) AS INTEGER) END)`;
}

/**
 * Each closed deal is counted twice: under its owner (a rep's view, a manager's owner filter) and under
 * '*', every owner (the manager's view), so that neither sums more rows than its histograms hold.
 */
const OWNER_AND_EVERYONE = `CROSS JOIN (SELECT 0 AS everyone UNION ALL SELECT 1 AS everyone) o`;
const OWNER_OR_EVERYONE = `CASE WHEN o.everyone = 1 THEN '*' ELSE COALESCE(d.owner_id, '') END`;

function upsert(table: string, keys: readonly string[], sums: readonly string[]): string {
  const excluded = sums.map((column) => `${column} = ${table}.${column} + excluded.${column}`).join(', ');
  return `ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${excluded}`;
}

const OPEN_KEYS = ['portal_id', 'pipeline_id', 'stage_id', 'owner_id', 'close_month', 'at_risk'] as const;
const OPEN_SUMS = ['deals', 'ready', 'blocked', 'stalled', 'open_exceptions', 'amount'] as const;

/**
 * Adds `sign` × the open-deal figures of the live deals of `source`: per (pipeline, stage, owner, close
 * month, at risk), how many, ready, blocked and stalled by the write-back's last verdict, their open
 * exceptions and amounts. `written` and `openExceptions` are SQL over `d` (defaults: the deal's current
 * write-back values and open exceptions).
 */
export function addOpenFiguresSql(
  dialect: StoreDialect,
  source: DealRowSource,
  sign: 1 | -1,
  options: { written?: string; openExceptions?: string } = {},
): string {
  const written =
    options.written ??
    `(SELECT w.written_values FROM deal_writebacks w WHERE w.portal_id = d.portal_id AND w.deal_id = d.deal_id)`;
  const openExceptions = options.openExceptions ?? countOpenExceptionsSql();
  const compliance = jsonText(dialect, 'c.written_values', 'sop_guide_compliance');
  const stalled = jsonText(dialect, 'c.written_values', 'sop_guide_stalled');
  const flag = (condition: string) => `CASE WHEN ${condition} THEN 1 ELSE 0 END`;
  return `INSERT INTO insight_open_figures (${[...OPEN_KEYS, ...OPEN_SUMS].join(', ')})
    SELECT c.portal_id, c.pipeline_id, c.stage_id, COALESCE(c.owner_id, ''),
      ${closeMonthSql(dialect, jsonText(dialect, 'c.properties', 'closedate'))} AS close_month,
      ${flag(`${stalled} = 'true' OR c.open_exceptions > 0`)} AS at_risk,
      ${sign} * COUNT(*), ${sign} * SUM(${flag(`${compliance} = 'compliant'`)}),
      ${sign} * SUM(${flag(`${compliance} = 'blocked'`)}), ${sign} * SUM(${flag(`${stalled} = 'true'`)}),
      ${sign} * SUM(c.open_exceptions),
      ${sign} * SUM(${amountSql(dialect, jsonText(dialect, 'c.properties', 'amount'))})
    FROM (SELECT d.portal_id, d.pipeline_id, d.stage_id, d.owner_id, d.properties,
            ${written} AS written_values, ${openExceptions} AS open_exceptions
          FROM ${source.from} WHERE d.deleted_at IS NULL ${source.where ?? ''}) c
    WHERE TRUE
    GROUP BY 1, 2, 3, 4, 5, 6
    ${upsert('insight_open_figures', OPEN_KEYS, OPEN_SUMS)}`;
}

/** The deal `d`'s open exceptions, as the table holds them now. */
export function countOpenExceptionsSql(): string {
  return `(SELECT COUNT(*) FROM deal_exceptions e
    WHERE e.portal_id = d.portal_id AND e.deal_id = d.deal_id AND e.status = 'open')`;
}

const OUTCOME_KEYS = ['portal_id', 'pipeline_id', 'closed_day', 'owner_id', 'kind', 'grp', 'bucket'] as const;
const OUTCOME_SUMS = ['deals', 'won', 'days'] as const;

/** Closed deals `d` as outcome histogram rows: per close day, owner and playbook version, by cycle time. */
export function addClosedDealFiguresSql(source: DealRowSource, sign: 1 | -1): string {
  return `INSERT INTO insight_outcome_figures (${[...OUTCOME_KEYS, ...OUTCOME_SUMS].join(', ')})
    SELECT d.portal_id, d.pipeline_id, d.closed_at / ${DAY_MS}, ${OWNER_OR_EVERYONE}, 'cycle',
      COALESCE(CAST(d.playbook_version AS TEXT), ''), ${bucketSql('d.cycle_days')},
      ${sign} * COUNT(*), ${sign} * SUM(d.won), ${sign} * SUM(COALESCE(d.cycle_days, 0))
    FROM ${source.from} ${OWNER_AND_EVERYONE} WHERE TRUE ${source.where ?? ''}
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ${upsert('insight_outcome_figures', OUTCOME_KEYS, OUTCOME_SUMS)}`;
}

/**
 * The steps `s` of closed deals `d` (joined by the caller's `from`) as histogram rows: days in each step,
 * and the deal's cycle time by whether the step was completed (not when it was left before the app).
 */
export function addClosedStepFiguresSql(from: string, sign: 1 | -1): string[] {
  const common = `d.portal_id, d.pipeline_id, d.closed_at / ${DAY_MS}, ${OWNER_OR_EVERYONE}`;
  const tail = `GROUP BY 1, 2, 3, 4, 5, 6, 7 ${upsert('insight_outcome_figures', OUTCOME_KEYS, OUTCOME_SUMS)}`;
  const columns = [...OUTCOME_KEYS, ...OUTCOME_SUMS].join(', ');
  return [
    `INSERT INTO insight_outcome_figures (${columns})
      SELECT ${common}, 'step-days', s.step_id, ${bucketSql('s.days')}, ${sign} * COUNT(*), ${sign} * SUM(d.won),
        ${sign} * SUM(s.days)
      FROM ${from} ${OWNER_AND_EVERYONE} WHERE TRUE ${tail}`,
    `INSERT INTO insight_outcome_figures (${columns})
      SELECT ${common}, 'step-cycle', s.step_id || ':' || CAST(s.completed AS TEXT), ${bucketSql('d.cycle_days')},
        ${sign} * COUNT(*), ${sign} * SUM(d.won), ${sign} * SUM(COALESCE(d.cycle_days, 0))
      FROM ${from} ${OWNER_AND_EVERYONE} WHERE s.completed IS NOT NULL ${tail}`,
  ];
}

const WON_KEYS = ['portal_id', 'pipeline_id', 'close_month', 'owner_id'] as const;
const WON_SUMS = ['deals', 'amount'] as const;

/** Won deals `d` by close month: what the demand view shows as won. */
export function addWonMonthSql(source: DealRowSource, sign: 1 | -1): string {
  return `INSERT INTO insight_won_months (${[...WON_KEYS, ...WON_SUMS].join(', ')})
    SELECT d.portal_id, d.pipeline_id, d.close_month, COALESCE(d.owner_id, ''),
      ${sign} * COUNT(*), ${sign} * SUM(COALESCE(d.amount, 0))
    FROM ${source.from} WHERE d.won = 1 ${source.where ?? ''}
    GROUP BY 1, 2, 3, 4
    ${upsert('insight_won_months', WON_KEYS, WON_SUMS)}`;
}
