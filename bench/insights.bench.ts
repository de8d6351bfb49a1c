import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { formatMonth } from '../src/domain';
import { SAMPLE_PORTAL_ID } from '../test/support/service-harness';
import type { TestDatabaseKind } from '../test/support/test-databases';
import { signedHeaders, startBenchService } from './support/bench-service';
import type { BenchmarkResult } from './support/benchmark-result';
import { bulkLoadDeals } from './support/bulk-deals';
import { benchSeconds, runClosedLoop } from './support/load';

/**
 * The insights API (DESIGN.md §7) with N open deals and N closed deals stored (BENCH_DEALS, default
 * 1,000,000), on SQLite and PostgreSQL: each of compliance, outcomes (the default 90-day window) and
 * demand asked by a manager one request at a time. Target: p99 < 250 ms each.
 */
const TARGET_P99_MS = 250;
const DAY_MS = 86_400_000;
const CLOSED_MONTHS = 12;
const OWNER_ID = '625150100000001';

function insightDealCount(): number {
  return Number(process.env.BENCH_DEALS ?? 1_000_000);
}

/**
 * Closed deals 1..count spread over the last year (one in three lost), each with two steps: the bulk
 * SQL equivalent of what the closed-deal history job records.
 */
async function bulkLoadClosedDeals(databaseUrl: string, count: number, now: Date): Promise<void> {
  const month = (n: string) =>
    `CASE ${Array.from({ length: CLOSED_MONTHS }, (_, i) => `WHEN ${n} % ${CLOSED_MONTHS} = ${i} THEN '${formatMonth(new Date(now.getTime() - i * 30 * DAY_MS))}'`).join(' ')} END`;
  const closedAt = (n: string) =>
    `${now.getTime()} - ((${n} % ${CLOSED_MONTHS}) * 30 + ${n} % 28) * CAST(${DAY_MS} AS BIGINT)`;
  const deals = (n: string) => `INSERT INTO insight_closed_deals
      (portal_id, deal_id, pipeline_id, owner_id, won, amount, close_date, close_month, closed_at, cycle_days,
       playbook_version, updated_at)
    SELECT ${SAMPLE_PORTAL_ID}, 'c' || CAST(${n} AS TEXT), 'default', '${OWNER_ID}',
      CASE WHEN ${n} % 3 = 0 THEN 0 ELSE 1 END, 12000, ${closedAt(n)}, ${month(n)}, ${closedAt(n)},
      10 + ${n} % 50, 1 + ${n} % 2, ${now.getTime()}`;
  const steps = (n: string, step: string) => `INSERT INTO insight_closed_deal_steps
      (portal_id, deal_id, step_id, days, completed)
    SELECT ${SAMPLE_PORTAL_ID}, 'c' || CAST(${n} AS TEXT), '${step}', 1 + ${n} % 20, ${n} % 2`;

  if (databaseUrl.startsWith('sqlite:')) {
    const database = new SqliteDatabase(databaseUrl.slice('sqlite:'.length));
    database.pragma('synchronous = OFF');
    const seq = `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${count})`;
    database.exec(`
      ${seq} ${deals('n')} FROM seq;
      ${seq} ${steps('n', 'prospecting')} FROM seq;
      ${seq} ${steps('n', 'qualification')} FROM seq;
      ANALYZE;`);
    database.close();
    return;
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const series = `FROM generate_series(1, ${count}) AS n`;
    await client.query(`${deals('n')} ${series}`);
    await client.query(`${steps('n', 'prospecting')} ${series}`);
    await client.query(`${steps('n', 'qualification')} ${series}`);
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

async function benchmarkOne(database: TestDatabaseKind, count: number): Promise<BenchmarkResult[]> {
  const durationMs = Math.max(2, benchSeconds() / 4) * 1000;
  const now = new Date();
  const loadStarted = performance.now();
  const service = await startBenchService({
    database,
    prepare: async (url) => {
      await bulkLoadDeals(url, { count, stalledEvery: 100, now, ownerId: OWNER_ID });
      await bulkLoadClosedDeals(url, count, now);
    },
  });
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  try {
    const manager = service.hubspot.state.portal(SAMPLE_PORTAL_ID).users.find((user) => user.superAdmin);
    if (!manager) throw new Error('the sample portal has no super admin');
    const query = `portalId=${SAMPLE_PORTAL_ID}&userId=${manager.id}&appId=54321`;
    const results: BenchmarkResult[] = [];
    for (const endpoint of ['compliance', 'outcomes', 'demand'] as const) {
      const path = `/api/v1/insights/${endpoint}?${query}`;
      const request = () => ({ method: 'GET' as const, path, headers: signedHeaders('GET', path) });
      const measured = await runClosedLoop({
        baseUrl: service.running.url,
        concurrency: 1,
        durationMs,
        next: request,
        warmup: 3,
      });
      results.push({
        name: `insights ${endpoint}, ${count.toLocaleString('en-US')} open + closed deals (${database})`,
        figures: {
          p50Ms: Number(measured.p50Ms.toFixed(2)),
          p99Ms: Number(measured.p99Ms.toFixed(2)),
          requests: measured.requests,
          errors: measured.errors,
          statuses: measured.statuses,
          dealsStored: count,
          closedDealsStored: count,
          bulkLoadSeconds: Number(loadSeconds.toFixed(1)),
        },
        summary: `p50 ${measured.p50Ms.toFixed(1)} ms, p99 ${measured.p99Ms.toFixed(1)} ms (${measured.requests} requests, one at a time)`,
        ratio: null,
        target: `p99 < ${TARGET_P99_MS} ms`,
        pass: measured.p99Ms < TARGET_P99_MS && measured.errors === 0 && measured.requests > 0,
      });
      console.log(`  ${results.at(-1)!.name}: ${results.at(-1)!.summary}`);
    }
    return results;
  } finally {
    await service.stop();
  }
}

export async function benchmarkInsights(): Promise<BenchmarkResult[]> {
  const results: BenchmarkResult[] = [];
  for (const database of ['sqlite', 'postgres'] as const) {
    results.push(...(await benchmarkOne(database, insightDealCount())));
  }
  return results;
}
