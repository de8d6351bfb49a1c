import type { AddressInfo } from 'node:net';
import express from 'express';
import { SAMPLE_PORTAL_ID } from '../test/support/service-harness';
import type { TestDatabaseKind } from '../test/support/test-databases';
import { signedHeaders, startBenchService } from './support/bench-service';
import type { BenchmarkResult } from './support/benchmark-result';
import { bulkLoadDeals } from './support/bulk-deals';
import { benchSeconds, runClosedLoop } from './support/load';

/**
 * The card's guidance API with 100k and 1M deals stored, on SQLite and PostgreSQL: signed GETs for
 * random deals, 16 at a time, against a bare GET of the same express app shape (router under
 * /api/v1, a JSON body of the same size, no signature, no database). The warm path must make no
 * HubSpot call: counted at the local HubSpot during the measured run.
 */
const CONCURRENCY = 16;
const TARGET_P99_MS = 20;
const QUERY = `portalId=${SAMPLE_PORTAL_ID}&userId=101&userEmail=rep%40example.com&appId=54321`;

export function dealCounts(): number[] {
  const largest = Number(process.env.BENCH_DEALS ?? 1_000_000);
  return [...new Set([Math.min(100_000, largest), largest])];
}

async function startBareApp(body: unknown): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.disable('x-powered-by');
  const api = express.Router();
  api.get('/deals/:dealId/guidance', (_req, res) => {
    res.json(body);
  });
  app.use('/api/v1', api);
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function benchmarkOne(database: TestDatabaseKind, count: number): Promise<BenchmarkResult> {
  const durationMs = Math.max(3, benchSeconds() / 2) * 1000;
  const loadStarted = performance.now();
  const service = await startBenchService({
    database,
    prepare: (url) =>
      bulkLoadDeals(url, {
        count,
        stalledEvery: 100,
        now: new Date(),
        ownerId: '625150100000001',
      }),
  });
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  try {
    const randomDeal = () => String(1 + Math.floor(Math.random() * count));
    const guidanceRequest = () => {
      const path = `/api/v1/deals/${randomDeal()}/guidance?${QUERY}`;
      return { method: 'GET' as const, path, headers: signedHeaders('GET', path) };
    };
    // One answer to copy for the baseline, and the pipeline cache filled (the only HubSpot read).
    const sample = await fetch(`${service.running.url}/api/v1/deals/1/guidance?${QUERY}`, {
      headers: signedHeaders('GET', `/api/v1/deals/1/guidance?${QUERY}`),
    });
    if (sample.status !== 200) throw new Error(`guidance answered ${sample.status}: ${await sample.text()}`);
    const body = (await sample.json()) as unknown;

    const bare = await startBareApp(body);
    const baseline = await runClosedLoop({
      baseUrl: bare.url,
      concurrency: CONCURRENCY,
      durationMs,
      next: guidanceRequest,
      warmup: 100,
    });
    await bare.close();

    // Warm-up first (connections, statement caches), then count HubSpot calls over the measured run.
    await runClosedLoop({
      baseUrl: service.running.url,
      concurrency: CONCURRENCY,
      durationMs: 500,
      next: guidanceRequest,
    });
    const callsBefore = service.hubspot.requests.length;
    const measured = await runClosedLoop({
      baseUrl: service.running.url,
      concurrency: CONCURRENCY,
      durationMs,
      next: guidanceRequest,
    });
    // Latency as one rep sees it: one request at a time (a closed loop at 16 measures queueing).
    const single = await runClosedLoop({
      baseUrl: service.running.url,
      concurrency: 1,
      durationMs: durationMs / 2,
      next: guidanceRequest,
    });
    const hubspotCalls = service.hubspot.requests.length - callsBefore;

    const ratio = measured.perSecond / baseline.perSecond;
    return {
      name: `guidance API, ${count.toLocaleString('en-US')} deals (${database})`,
      figures: {
        service: {
          requestsPerSecond: Math.round(measured.perSecond),
          p50Ms: Number(measured.p50Ms.toFixed(2)),
          p99Ms: Number(measured.p99Ms.toFixed(2)),
          requests: measured.requests,
          errors: measured.errors,
          statuses: measured.statuses,
        },
        serviceOneAtATime: {
          requestsPerSecond: Math.round(single.perSecond),
          p50Ms: Number(single.p50Ms.toFixed(2)),
          p99Ms: Number(single.p99Ms.toFixed(2)),
          errors: single.errors,
        },
        baseline: {
          requestsPerSecond: Math.round(baseline.perSecond),
          p50Ms: Number(baseline.p50Ms.toFixed(2)),
          p99Ms: Number(baseline.p99Ms.toFixed(2)),
        },
        hubspotCallsWarm: hubspotCalls,
        dealsStored: count,
        bulkLoadSeconds: Number(loadSeconds.toFixed(1)),
        concurrency: CONCURRENCY,
      },
      summary:
        `${Math.round(measured.perSecond)} req/s at ${CONCURRENCY} (bare ${Math.round(baseline.perSecond)}), ` +
        `p99 ${measured.p99Ms.toFixed(1)} ms at ${CONCURRENCY}; one at a time p50 ${single.p50Ms.toFixed(1)} ms, ` +
        `p99 ${single.p99Ms.toFixed(1)} ms; ` +
        `HubSpot calls warm ${hubspotCalls}`,
      ratio,
      target: `p99 < ${TARGET_P99_MS} ms (one at a time), 0 HubSpot calls warm`,
      pass:
        single.p99Ms < TARGET_P99_MS && hubspotCalls === 0 && measured.errors === 0 && single.errors === 0,
    };
  } finally {
    await service.stop();
  }
}

export async function benchmarkGuidanceApi(): Promise<BenchmarkResult[]> {
  const results: BenchmarkResult[] = [];
  for (const count of dealCounts()) {
    for (const database of ['sqlite', 'postgres'] as const) {
      results.push(await benchmarkOne(database, count));
      console.log(`  ${results.at(-1)!.name}: ${results.at(-1)!.summary}`);
    }
  }
  return results;
}
