import SqliteDatabase from 'better-sqlite3';
import { SAMPLE_PORTAL_ID } from '../test/support/service-harness';
import type { TestDatabaseKind } from '../test/support/test-databases';
import { signedHeaders, startBenchService } from './support/bench-service';
import type { BenchmarkResult } from './support/benchmark-result';
import { bulkLoadDeals, withBulkPostgres } from './support/bulk-deals';
import { benchSeconds, runClosedLoop } from './support/load';

/**
 * The insights API (DESIGN.md §7) with N open deals and N closed deals stored (BENCH_DEALS, default
 * 1,000,000), on SQLite and PostgreSQL, the service running as `npm start` runs it (background work on):
 * each of compliance, outcomes (the default 90-day window) and demand asked by a manager one request at a
 * time through the signed HTTP API, against the card's guidance API measured in the same run (ratio =
 * insights p99 / guidance p99). Target: p99 < 250 ms each. Seeding is bulk SQL, reported apart: on
 * SQLite the triggers keep the figures during the load itself, as they do for any write; on PostgreSQL
 * the load runs with triggers off and the figures are then built as migration 0014 builds them.
 */
const TARGET_P99_MS = 250;
const DAY_MS = 86_400_000;
const OWNER_ID = '625150100000001';
/** Closed deals' owners: ten reps, so the manager's view sums across owners. */
const CLOSED_OWNERS = 10;

function insightDealCount(): number {
  return Number(process.env.BENCH_DEALS ?? 1_000_000);
}

/**
 * Closed deals c1..c<count> closed over the last year, every day, one in three lost, under three
 * playbook versions and ten owners, with cycle times of 0.5 to 100 days and three steps of 0 to 30 days
 * (completed, not completed, or left before the app): the bulk SQL equivalent of what the closed-deal
 * history job records. Times have a tenth of a day's resolution, so the histograms hold many buckets.
 */
async function bulkLoadClosedDeals(databaseUrl: string, count: number, now: Date): Promise<void> {
  const closedAt = (n: string) =>
    `(${now.getTime()} - (${n} % 365) * CAST(${DAY_MS} AS BIGINT) - (CAST(${n} AS BIGINT) * 7919) % ${DAY_MS})`;
  const month = (n: string, postgres: boolean) =>
    postgres
      ? `to_char(to_timestamp(${closedAt(n)} / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM')`
      : `strftime('%Y-%m', ${closedAt(n)} / 1000, 'unixepoch')`;
  const deals = (n: string, postgres: boolean) => `INSERT INTO insight_closed_deals
      (portal_id, deal_id, pipeline_id, owner_id, won, amount, close_date, close_month, closed_at, cycle_days,
       playbook_version, updated_at)
    SELECT ${SAMPLE_PORTAL_ID}, 'c' || CAST(${n} AS TEXT), 'default',
      CAST(${Number(OWNER_ID) - 1} + ${n} % ${CLOSED_OWNERS} AS TEXT),
      CASE WHEN ${n} % 3 = 0 THEN 0 ELSE 1 END, 1000 + ${n} % 20000, ${closedAt(n)}, ${month(n, postgres)},
      ${closedAt(n)}, 0.5 + (${n} % 997) / 10.0, 1 + ${n} % 3, ${now.getTime()}`;
  const steps = (n: string, step: string, salt: number) => `INSERT INTO insight_closed_deal_steps
      (portal_id, deal_id, step_id, days, completed)
    SELECT ${SAMPLE_PORTAL_ID}, 'c' || CAST(${n} AS TEXT), '${step}', ((${n} * ${salt}) % 301) / 10.0,
      CASE (${n} * ${salt}) % 3 WHEN 0 THEN 0 WHEN 1 THEN 1 END`;
  const stepNames = [
    ['prospecting', 7],
    ['qualification', 13],
    ['presentation', 17],
  ] as const;

  if (databaseUrl.startsWith('sqlite:')) {
    const database = new SqliteDatabase(databaseUrl.slice('sqlite:'.length));
    database.pragma('synchronous = OFF');
    const seq = `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${count})`;
    database.exec(`
      BEGIN;
      ${seq} ${deals('n', false)} FROM seq;
      ${stepNames.map(([step, salt]) => `${seq} ${steps('n', step, salt)} FROM seq;`).join('\n')}
      COMMIT;
      ANALYZE;`);
    database.close();
    return;
  }
  await withBulkPostgres(databaseUrl, async (client) => {
    const series = `FROM generate_series(1, ${count}) AS n`;
    await client.query(`${deals('n', true)} ${series}`);
    for (const [step, salt] of stepNames) await client.query(`${steps('n', step, salt)} ${series}`);
  });
}

interface Measured {
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
}

async function measure(baseUrl: string, path: string, durationMs: number): Promise<Measured> {
  const response = await fetch(baseUrl + path, { headers: signedHeaders('GET', path) });
  if (response.status !== 200)
    throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return runClosedLoop({
    baseUrl,
    concurrency: 1,
    durationMs,
    next: () => ({ method: 'GET' as const, path, headers: signedHeaders('GET', path) }),
    warmup: 3,
  });
}

async function benchmarkOne(database: TestDatabaseKind, count: number): Promise<BenchmarkResult[]> {
  const durationMs = Math.max(2, benchSeconds() / 4) * 1000;
  const now = new Date();
  const seeding = { openSeconds: 0, closedSeconds: 0 };
  const service = await startBenchService({
    database,
    workers: true,
    prepare: async (url) => {
      let started = performance.now();
      await bulkLoadDeals(url, { count, stalledEvery: 100, now, ownerId: OWNER_ID });
      seeding.openSeconds = (performance.now() - started) / 1000;
      started = performance.now();
      await bulkLoadClosedDeals(url, count, now);
      seeding.closedSeconds = (performance.now() - started) / 1000;
    },
  });
  console.log(
    `  ${database}: seeded ${count.toLocaleString('en-US')} open deals in ${seeding.openSeconds.toFixed(1)} s, ` +
      `${count.toLocaleString('en-US')} closed deals in ${seeding.closedSeconds.toFixed(1)} s`,
  );
  try {
    const manager = service.hubspot.state.portal(SAMPLE_PORTAL_ID).users.find((user) => user.superAdmin);
    if (!manager) throw new Error('the sample portal has no super admin');
    const query = `portalId=${SAMPLE_PORTAL_ID}&userId=${manager.id}&appId=54321`;
    const baseline = await measure(service.running.url, `/api/v1/deals/1/guidance?${query}`, durationMs);
    console.log(
      `  baseline guidance API: p50 ${baseline.p50Ms.toFixed(1)} ms, p99 ${baseline.p99Ms.toFixed(1)} ms`,
    );
    const results: BenchmarkResult[] = [];
    for (const endpoint of ['compliance', 'outcomes', 'demand'] as const) {
      const measured = await measure(
        service.running.url,
        `/api/v1/insights/${endpoint}?${query}`,
        durationMs,
      );
      results.push({
        name: `insights ${endpoint}, ${count.toLocaleString('en-US')} open + closed deals (${database})`,
        figures: {
          p50Ms: Number(measured.p50Ms.toFixed(2)),
          p99Ms: Number(measured.p99Ms.toFixed(2)),
          requests: measured.requests,
          errors: measured.errors,
          statuses: measured.statuses,
          baselineGuidanceP50Ms: Number(baseline.p50Ms.toFixed(2)),
          baselineGuidanceP99Ms: Number(baseline.p99Ms.toFixed(2)),
          dealsStored: count,
          closedDealsStored: count,
          seedOpenSeconds: Number(seeding.openSeconds.toFixed(1)),
          seedClosedSeconds: Number(seeding.closedSeconds.toFixed(1)),
        },
        summary: `p50 ${measured.p50Ms.toFixed(1)} ms, p99 ${measured.p99Ms.toFixed(1)} ms (${measured.requests} requests, one at a time; guidance p99 ${baseline.p99Ms.toFixed(1)} ms)`,
        ratio: baseline.p99Ms > 0 ? measured.p99Ms / baseline.p99Ms : null,
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
