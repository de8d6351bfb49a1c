import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolvePostgresServer } from '../sandbox/postgres';
import { benchmarkExceptionDetection } from './exception-detection.bench';
import { benchmarkGuidanceApi } from './guidance-api.bench';
import { benchmarkHubSpotCalls } from './hubspot-calls.bench';
import { benchmarkInsights } from './insights.bench';
import { benchmarkRateBudget } from './rate-budget.bench';
import { benchmarkStallSweep } from './stall-sweep.bench';
import type { BenchmarkResult } from './support/benchmark-result';
import { benchmarkWebhookIntake } from './webhook-intake.bench';

/**
 * `npm run bench`: every benchmark, each with absolute figures and a ratio against a baseline
 * measured in this same run on this same machine (figures from another machine mean little).
 * BENCH_ONLY=intake,guidance,sweep,calls,insights,exceptions,budget picks some; BENCH_SECONDS sets the load duration (the intake's burst);
 * BENCH_INTAKE_LINES=sqlite,postgres,off,pair picks the intake's lines (processing on per database, the
 * processing-off lines, the 2-instance PostgreSQL line);
 * BENCH_DEALS the largest deal count (default 1,000,000).
 */
const BENCHMARKS: Record<string, () => Promise<BenchmarkResult[]>> = {
  intake: benchmarkWebhookIntake,
  guidance: benchmarkGuidanceApi,
  sweep: benchmarkStallSweep,
  calls: benchmarkHubSpotCalls,
  insights: benchmarkInsights,
  exceptions: benchmarkExceptionDetection,
  budget: benchmarkRateBudget,
};

function machine() {
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    loadAverage: os.loadavg().map((value) => Number(value.toFixed(2))),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

function printTable(results: BenchmarkResult[]): void {
  const rows = results.map((result) => [
    result.pass ? 'PASS' : 'FAIL',
    result.name,
    result.summary,
    result.ratio === null ? '-' : result.ratio.toFixed(3),
    result.target,
  ]);
  const header = ['', 'benchmark', 'figures', 'ratio', 'target'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('-|-'));
  for (const row of rows) console.log(line(row));
  for (const result of results) if (result.note) console.log(`note (${result.name}): ${result.note}`);
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
  const startedAt = new Date();
  // The same server as the tests would use; the benchmarks' databases are made on it (test-databases.ts).
  const postgres = await resolvePostgresServer();
  process.env.TEST_POSTGRES_URL = postgres.adminUrl;
  console.log(`PostgreSQL: ${postgres.description}`);
  const results: BenchmarkResult[] = [];
  try {
    for (const [name, run] of Object.entries(BENCHMARKS)) {
      if (only && !only.includes(name)) continue;
      console.log(`running ${name}...`);
      const started = performance.now();
      results.push(...(await run()));
      console.log(`  ${name} took ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    await postgres.stop();
  }
  console.log('');
  printTable(results);
  const folder = path.join(__dirname, 'results');
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, 'latest.json');
  writeFileSync(
    file,
    JSON.stringify({ startedAt: startedAt.toISOString(), machine: machine(), results }, null, 2) + '\n',
  );
  console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
