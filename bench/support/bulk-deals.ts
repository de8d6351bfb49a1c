import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { createStore } from '../../src/app/store';
import { buildFiguresSql } from '../../src/modules/insights/0014-insight-figures.migration';
import type { LocalHubSpotState } from '../../sandbox/local-hubspot';
import { SAMPLE_PORTAL_ID } from '../../test/support/service-harness';

/**
 * Fills a fresh database with `count` deals of the sample portal in one bulk SQL statement (a
 * recursive CTE on SQLite, generate_series on PostgreSQL): the service's own write path would take
 * hours for a million. Deal ids are 1..count. Every `stalledEvery`-th deal entered qualifiedtobuy 60
 * days ago with no activity since (stalled); the others entered it yesterday and had activity today.
 * Each row carries every property the default playbook checks, so the card never needs HubSpot.
 */
const DAY_MS = 86_400_000;

export interface BulkDealsOptions {
  count: number;
  stalledEvery: number;
  now: Date;
  ownerId: string;
}

function valuesSql(options: BulkDealsOptions, idColumn: string, concat: (...parts: string[]) => string) {
  const now = options.now.getTime();
  const stalled = `(${idColumn} % ${options.stalledEvery} = 0)`;
  const properties = concat(
    `'{"dealname":"Bulk deal '`,
    `${idColumn}`,
    `'","amount":"12000","closedate":"2027-01-15T00:00:00.000Z","dealtype":"newbusiness","description":"Bulk",' ||
     '"hs_next_step":"Call back","hs_priority":"medium","hubspot_owner_id":"${options.ownerId}","num_associated_contacts":"1"}'`,
  );
  return `${SAMPLE_PORTAL_ID}, CAST(${idColumn} AS TEXT), 'default', 'qualifiedtobuy',
    CASE WHEN ${stalled} THEN ${now - 60 * DAY_MS} ELSE ${now - DAY_MS} END,
    NULL, '${options.ownerId}', ${properties}, '{"contacts":1,"companies":1}',
    CASE WHEN ${stalled} THEN ${now - 60 * DAY_MS} ELSE ${now - 3_600_000} END,
    NULL, ${now - DAY_MS}, NULL, 1, ${now}`;
}

const COLUMNS = `portal_id, deal_id, pipeline_id, stage_id, stage_entered_at, playbook_version, owner_id,
  properties, associations, last_activity_at, next_activity_at, last_event_at, deleted_at, revision, updated_at`;

export async function bulkLoadDeals(databaseUrl: string, options: BulkDealsOptions): Promise<void> {
  const store = await createStore(databaseUrl);
  await store.migrate();
  await store.close();

  if (databaseUrl.startsWith('sqlite:')) {
    const database = new SqliteDatabase(databaseUrl.slice('sqlite:'.length));
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = OFF');
    database.exec(`
      WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${options.count})
      INSERT INTO deals (${COLUMNS})
      SELECT ${valuesSql(options, 'n', (...parts) => parts.join(' || '))} FROM seq;
      ANALYZE;`);
    database.close();
    return;
  }
  await withBulkPostgres(databaseUrl, async (client) => {
    await client.query(`
      INSERT INTO deals (${COLUMNS})
      SELECT ${valuesSql(options, 'n', (...parts) => parts.join(' || '))}
      FROM generate_series(1, ${options.count}) AS n`);
    await client.query('ANALYZE deals');
  });
}

/**
 * Runs a PostgreSQL bulk load with the row triggers off, then builds the insights' figures from scratch
 * as migration 0014 does for an existing install. With the triggers on, one statement of a million rows
 * would update the same few figure rows a million times in one transaction, each update walking the
 * row's earlier versions: hours. The service's own writes are one deal (or one batch) a transaction.
 */
export async function withBulkPostgres(databaseUrl: string, load: (client: pg.Client) => Promise<void>) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SET session_replication_role = replica');
    await load(client);
    await client.query('SET session_replication_role = DEFAULT');
    await client.query('BEGIN');
    for (const statement of buildFiguresSql('postgres')) await client.query(statement);
    await client.query('COMMIT');
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

/**
 * Gives the local HubSpot the stalled deals of a bulk load (same ids), so that reminder tasks can be
 * associated with them: HubSpot refuses a task for a deal it does not have.
 */
export function addStalledDealsToHubSpot(state: LocalHubSpotState, options: BulkDealsOptions): void {
  for (let id = options.stalledEvery; id <= options.count; id += options.stalledEvery) {
    state.upsertDeal(SAMPLE_PORTAL_ID, { id: String(id), properties: { dealname: `Bulk deal ${id}` } });
  }
}
