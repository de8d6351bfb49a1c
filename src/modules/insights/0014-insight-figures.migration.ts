import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';
import type { StoreDialect } from '../../platform/db/store-context';
import {
  addClosedDealFiguresSql,
  addClosedStepFiguresSql,
  addOpenFiguresSql,
  addWonMonthSql,
  CLOSED_DEAL_COLUMNS,
  countOpenExceptionsSql,
  DEAL_COLUMNS,
  rowSource,
  type DealRowSource,
} from './insight-figures.sql';

/**
 * The insights' figures kept as the data changes, so that each dashboard answer reads a few thousand
 * summed rows instead of every deal (issue 14 "fast at scale"):
 * - insight_open_figures: live deals per (pipeline, stage, owner, close month, at risk) with ready,
 *   blocked, stalled, open exceptions and amount: the compliance and demand views;
 * - insight_outcome_figures: closed deals per (pipeline, close day, owner, and '*' for every owner) as
 *   histograms of cycle and step days (medians and p90 come from them): the outcomes view;
 * - insight_won_months: won amounts per (pipeline, close month, owner).
 * Triggers keep them in the writing statement's transaction, whichever module writes (the deals
 * projection, the write-back's verdicts, the exceptions, the closed-deal history); this migration builds
 * them once from what an existing install already holds.
 *
 * `portals purge` deletes a portal's rows table by table in name order: every source table (deal_*,
 * deals, insight_closed_*) sorts before the figure tables (insight_open_figures, insight_outcome_figures,
 * insight_won_months), so the triggers take the portal's figures to zero first and the figure rows go
 * last. A new figure table must keep a name that sorts after its sources.
 */

interface TriggerSpec {
  name: string;
  table: string;
  event: 'INSERT' | 'UPDATE' | 'DELETE';
  when?: string;
  /** PostgreSQL only: the deal row to lock first (see lockDeal). */
  lockDealOf?: 'NEW' | 'OLD';
  statements: string[];
}

/**
 * On PostgreSQL a write-back or exception trigger reads the deal another transaction may be moving:
 * locking the deal row first makes the two take turns, so each sees the other's result.
 */
function lockDeal(row: 'NEW' | 'OLD'): string {
  return `PERFORM 1 FROM deals WHERE portal_id = ${row}.portal_id AND deal_id = ${row}.deal_id FOR NO KEY UPDATE`;
}

function createTriggerSql(dialect: StoreDialect, spec: TriggerSpec): string[] {
  if (dialect === 'postgres') {
    const body = [...(spec.lockDealOf ? [lockDeal(spec.lockDealOf)] : []), ...spec.statements];
    return [
      `CREATE FUNCTION ${spec.name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
       BEGIN ${body.map((statement) => `${statement};`).join('\n')} RETURN NULL; END $fn$`,
      `CREATE TRIGGER ${spec.name} AFTER ${spec.event} ON ${spec.table} FOR EACH ROW
       ${spec.when ? `WHEN (${spec.when})` : ''} EXECUTE FUNCTION ${spec.name}()`,
    ];
  }
  return [
    `CREATE TRIGGER ${spec.name} AFTER ${spec.event} ON ${spec.table} FOR EACH ROW
     ${spec.when ? `WHEN ${spec.when}` : ''}
     BEGIN ${spec.statements.map((statement) => `${statement};`).join('\n')} END`,
  ];
}

function dropTriggerSql(dialect: StoreDialect, spec: TriggerSpec): string[] {
  if (dialect === 'postgres')
    return [`DROP TRIGGER ${spec.name} ON ${spec.table}`, `DROP FUNCTION ${spec.name}()`];
  return [`DROP TRIGGER ${spec.name}`];
}

function triggerSpecs(dialect: StoreDialect): TriggerSpec[] {
  const differs = (a: string, b: string) =>
    dialect === 'postgres' ? `(${a}) IS DISTINCT FROM (${b})` : `(${a}) IS NOT (${b})`;
  const json = (column: string, key: string) =>
    dialect === 'postgres' ? `(${column}::jsonb ->> '${key}')` : `json_extract(${column}, '$.${key}')`;
  const dealOf = (row: 'NEW' | 'OLD'): DealRowSource => ({
    from: 'deals d',
    where: `AND d.portal_id = ${row}.portal_id AND d.deal_id = ${row}.deal_id`,
  });
  const open = (source: DealRowSource, sign: 1 | -1, options?: Parameters<typeof addOpenFiguresSql>[3]) =>
    addOpenFiguresSql(dialect, source, sign, options);
  const isOpen = (row: 'NEW' | 'OLD') => `(CASE WHEN ${row}.status = 'open' THEN 1 ELSE 0 END)`;
  /** The deal's figures before and after its open exceptions changed by `delta` (now counted as they are). */
  const exceptionChange = (row: 'NEW' | 'OLD', delta: string) => [
    open(dealOf(row), -1, { openExceptions: `(${countOpenExceptionsSql()} - ${delta})` }),
    open(dealOf(row), 1),
  ];
  const closedSteps = (row: 'NEW' | 'OLD') =>
    `${rowSource(row, CLOSED_DEAL_COLUMNS).from}
     JOIN insight_closed_deal_steps s ON s.portal_id = d.portal_id AND s.deal_id = d.deal_id`;
  const stepOfParent = (row: 'NEW' | 'OLD') =>
    `insight_closed_deals d JOIN (SELECT ${row}.portal_id AS portal_id, ${row}.deal_id AS deal_id,
       ${row}.step_id AS step_id, ${row}.days AS days, ${row}.completed AS completed) s
     ON s.portal_id = d.portal_id AND s.deal_id = d.deal_id`;
  const closedDeal = (row: 'NEW' | 'OLD', sign: 1 | -1) => [
    addClosedDealFiguresSql(rowSource(row, CLOSED_DEAL_COLUMNS), sign),
    addWonMonthSql(rowSource(row, CLOSED_DEAL_COLUMNS), sign),
    ...addClosedStepFiguresSql(closedSteps(row), sign),
  ];

  return [
    {
      name: 'insight_deals_insert',
      table: 'deals',
      event: 'INSERT',
      statements: [open(rowSource('NEW', DEAL_COLUMNS), 1)],
    },
    {
      name: 'insight_deals_update',
      table: 'deals',
      event: 'UPDATE',
      // Most writes re-read a deal unchanged in what the figures group by: they add nothing.
      when: [
        differs('OLD.pipeline_id', 'NEW.pipeline_id'),
        differs('OLD.stage_id', 'NEW.stage_id'),
        differs('OLD.owner_id', 'NEW.owner_id'),
        differs('OLD.deleted_at IS NULL', 'NEW.deleted_at IS NULL'),
        differs(json('OLD.properties', 'closedate'), json('NEW.properties', 'closedate')),
        differs(json('OLD.properties', 'amount'), json('NEW.properties', 'amount')),
      ].join(' OR '),
      statements: [open(rowSource('OLD', DEAL_COLUMNS), -1), open(rowSource('NEW', DEAL_COLUMNS), 1)],
    },
    {
      name: 'insight_deals_delete',
      table: 'deals',
      event: 'DELETE',
      statements: [open(rowSource('OLD', DEAL_COLUMNS), -1)],
    },
    {
      name: 'insight_writebacks_insert',
      table: 'deal_writebacks',
      event: 'INSERT',
      when: 'NEW.written_values IS NOT NULL',
      lockDealOf: 'NEW',
      statements: [
        open(dealOf('NEW'), -1, { written: 'NULL' }),
        open(dealOf('NEW'), 1, { written: 'NEW.written_values' }),
      ],
    },
    {
      name: 'insight_writebacks_update',
      table: 'deal_writebacks',
      event: 'UPDATE',
      when: [
        differs(
          json('OLD.written_values', 'sop_guide_compliance'),
          json('NEW.written_values', 'sop_guide_compliance'),
        ),
        differs(
          json('OLD.written_values', 'sop_guide_stalled'),
          json('NEW.written_values', 'sop_guide_stalled'),
        ),
      ].join(' OR '),
      lockDealOf: 'NEW',
      statements: [
        open(dealOf('NEW'), -1, { written: 'OLD.written_values' }),
        open(dealOf('NEW'), 1, { written: 'NEW.written_values' }),
      ],
    },
    {
      name: 'insight_writebacks_delete',
      table: 'deal_writebacks',
      event: 'DELETE',
      when: 'OLD.written_values IS NOT NULL',
      lockDealOf: 'OLD',
      statements: [
        open(dealOf('OLD'), -1, { written: 'OLD.written_values' }),
        open(dealOf('OLD'), 1, { written: 'NULL' }),
      ],
    },
    // An AFTER ROW trigger counts the deal's open exceptions as they are after the change; the exceptions
    // module changes one exception per statement, so the count before is that minus this row's change.
    {
      name: 'insight_exceptions_insert',
      table: 'deal_exceptions',
      event: 'INSERT',
      when: "NEW.status = 'open'",
      lockDealOf: 'NEW',
      statements: exceptionChange('NEW', '1'),
    },
    {
      name: 'insight_exceptions_update',
      table: 'deal_exceptions',
      event: 'UPDATE',
      when: `${isOpen('OLD')} <> ${isOpen('NEW')}`,
      lockDealOf: 'NEW',
      statements: exceptionChange('NEW', `(${isOpen('NEW')} - ${isOpen('OLD')})`),
    },
    {
      name: 'insight_exceptions_delete',
      table: 'deal_exceptions',
      event: 'DELETE',
      when: "OLD.status = 'open'",
      lockDealOf: 'OLD',
      statements: exceptionChange('OLD', '-1'),
    },
    {
      name: 'insight_closed_deals_insert',
      table: 'insight_closed_deals',
      event: 'INSERT',
      statements: closedDeal('NEW', 1),
    },
    {
      name: 'insight_closed_deals_update',
      table: 'insight_closed_deals',
      event: 'UPDATE',
      when: CLOSED_DEAL_COLUMNS.map((column) => differs(`OLD.${column}`, `NEW.${column}`)).join(' OR '),
      statements: [...closedDeal('OLD', -1), ...closedDeal('NEW', 1)],
    },
    {
      name: 'insight_closed_deals_delete',
      table: 'insight_closed_deals',
      event: 'DELETE',
      statements: closedDeal('OLD', -1),
    },
    {
      name: 'insight_closed_steps_insert',
      table: 'insight_closed_deal_steps',
      event: 'INSERT',
      statements: addClosedStepFiguresSql(stepOfParent('NEW'), 1),
    },
    {
      name: 'insight_closed_steps_update',
      table: 'insight_closed_deal_steps',
      event: 'UPDATE',
      statements: [
        ...addClosedStepFiguresSql(stepOfParent('OLD'), -1),
        ...addClosedStepFiguresSql(stepOfParent('NEW'), 1),
      ],
    },
    {
      name: 'insight_closed_steps_delete',
      table: 'insight_closed_deal_steps',
      event: 'DELETE',
      statements: addClosedStepFiguresSql(stepOfParent('OLD'), -1),
    },
  ];
}

function dialectOf(db: Kysely<unknown>): StoreDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/**
 * Every figure computed from scratch from the tables they summarise: what the migration fills an existing
 * install with, and what the triggers must keep equal to.
 */
export function buildFiguresSql(dialect: StoreDialect): string[] {
  return [
    'DELETE FROM insight_open_figures',
    'DELETE FROM insight_outcome_figures',
    'DELETE FROM insight_won_months',
    addOpenFiguresSql(dialect, { from: 'deals d' }, 1),
    addClosedDealFiguresSql({ from: 'insight_closed_deals d' }, 1),
    addWonMonthSql({ from: 'insight_closed_deals d' }, 1),
    ...addClosedStepFiguresSql(
      `insight_closed_deals d JOIN insight_closed_deal_steps s ON s.portal_id = d.portal_id AND s.deal_id = d.deal_id`,
      1,
    ),
  ];
}

export const insightFiguresMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const dialect = dialectOf(db);
    await db.schema
      .createTable('insight_open_figures')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('pipeline_id', 'text', (col) => col.notNull())
      .addColumn('stage_id', 'text', (col) => col.notNull())
      .addColumn('owner_id', 'text', (col) => col.notNull())
      .addColumn('close_month', 'text', (col) => col.notNull())
      .addColumn('at_risk', 'integer', (col) => col.notNull())
      .addColumn('deals', 'bigint', (col) => col.notNull())
      .addColumn('ready', 'bigint', (col) => col.notNull())
      .addColumn('blocked', 'bigint', (col) => col.notNull())
      .addColumn('stalled', 'bigint', (col) => col.notNull())
      .addColumn('open_exceptions', 'bigint', (col) => col.notNull())
      .addColumn('amount', 'double precision', (col) => col.notNull())
      .addPrimaryKeyConstraint('insight_open_figures_pk', [
        'portal_id',
        'pipeline_id',
        'stage_id',
        'owner_id',
        'close_month',
        'at_risk',
      ])
      .execute();
    await db.schema
      .createTable('insight_outcome_figures')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('pipeline_id', 'text', (col) => col.notNull())
      .addColumn('closed_day', 'integer', (col) => col.notNull())
      .addColumn('owner_id', 'text', (col) => col.notNull())
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('grp', 'text', (col) => col.notNull())
      .addColumn('bucket', 'integer', (col) => col.notNull())
      .addColumn('deals', 'bigint', (col) => col.notNull())
      .addColumn('won', 'bigint', (col) => col.notNull())
      .addColumn('days', 'double precision', (col) => col.notNull())
      // Owner before day: a view reads one owner's (or '*') days as one range, not every owner's.
      .addPrimaryKeyConstraint('insight_outcome_figures_pk', [
        'portal_id',
        'pipeline_id',
        'owner_id',
        'closed_day',
        'kind',
        'grp',
        'bucket',
      ])
      .execute();
    await db.schema
      .createTable('insight_won_months')
      .addColumn('portal_id', 'bigint', (col) => col.notNull())
      .addColumn('pipeline_id', 'text', (col) => col.notNull())
      .addColumn('close_month', 'text', (col) => col.notNull())
      .addColumn('owner_id', 'text', (col) => col.notNull())
      .addColumn('deals', 'bigint', (col) => col.notNull())
      .addColumn('amount', 'double precision', (col) => col.notNull())
      .addPrimaryKeyConstraint('insight_won_months_pk', [
        'portal_id',
        'pipeline_id',
        'close_month',
        'owner_id',
      ])
      .execute();
    // The per-request scans these served are gone: three indexes less to keep up on every write.
    await db.schema.dropIndex('deals_insights_pipeline_stage_idx').execute();
    await db.schema.dropIndex('insight_closed_deals_window_idx').execute();
    await db.schema.dropIndex('insight_closed_deals_month_idx').execute();
    for (const spec of triggerSpecs(dialect)) await run(db, createTriggerSql(dialect, spec));
    await run(db, buildFiguresSql(dialect));
  },

  async down(db: Kysely<unknown>): Promise<void> {
    const dialect = dialectOf(db);
    for (const spec of triggerSpecs(dialect)) await run(db, dropTriggerSql(dialect, spec));
    await db.schema
      .createIndex('insight_closed_deals_month_idx')
      .on('insight_closed_deals')
      .columns(['portal_id', 'pipeline_id', 'close_month'])
      .execute();
    await db.schema
      .createIndex('insight_closed_deals_window_idx')
      .on('insight_closed_deals')
      .columns(['portal_id', 'pipeline_id', 'closed_at'])
      .execute();
    await db.schema
      .createIndex('deals_insights_pipeline_stage_idx')
      .on('deals')
      .columns(['portal_id', 'pipeline_id', 'stage_id', 'owner_id'])
      .execute();
    await db.schema.dropTable('insight_won_months').execute();
    await db.schema.dropTable('insight_outcome_figures').execute();
    await db.schema.dropTable('insight_open_figures').execute();
  },
};
