import type { TestDatabaseKind } from '../test/support/test-databases';
import { startBenchService } from './support/bench-service';
import type { BenchmarkResult } from './support/benchmark-result';
import { bulkLoadDeals } from './support/bulk-deals';
import { withPeakMemory } from './support/load';

/**
 * The stalled-deal sweep over 1M deals (BENCH_DEALS) with 1% stalled: a dry run of the real sweep
 * (src/reminders/stall-sweep.service.ts: the indexed candidate query, the domain's verdict per deal,
 * no HubSpot writes), its time and the process's peak memory. Baseline: the bare indexed candidate
 * query (store.deals.listDealsEnteredStageBefore, paged) over the same rows, in the same run.
 */
const TARGET_SECONDS = 1;
const PAGE_SIZE = 200;
const DAY_MS = 86_400_000;

async function benchmarkOne(database: TestDatabaseKind, count: number): Promise<BenchmarkResult> {
  const now = new Date();
  const service = await startBenchService({
    database,
    prepare: (url) => bulkLoadDeals(url, { count, stalledEvery: 100, now, ownerId: '625150100000001' }),
  });
  try {
    const { store, reminders } = service.running.services;
    const portalId = service.running.services.portals.installedPortalIds()[0]!;

    const queryStarted = performance.now();
    const candidates = await withPeakMemory(async () => {
      let seen = 0;
      let afterDealId: string | undefined;
      for (;;) {
        const page = await store.deals.listDealsEnteredStageBefore(
          portalId,
          new Date(now.getTime() - 14 * DAY_MS),
          { ...(afterDealId === undefined ? {} : { afterDealId }), limit: PAGE_SIZE },
        );
        seen += page.length;
        if (page.length < PAGE_SIZE) return seen;
        afterDealId = page.at(-1)!.dealId;
      }
    });
    const querySeconds = (performance.now() - queryStarted) / 1000;

    const callsBefore = service.hubspot.requests.length;
    const sweepStarted = performance.now();
    const sweep = await withPeakMemory(() => reminders.sweep({ now, dryRun: true }));
    const sweepSeconds = (performance.now() - sweepStarted) / 1000;
    const report = sweep.result;

    return {
      name: `stall sweep (dry run), ${count.toLocaleString('en-US')} deals, 1% stalled (${database})`,
      figures: {
        sweepSeconds: Number(sweepSeconds.toFixed(3)),
        sweepPeakRssMb: sweep.peakRssMb,
        sweepPeakHeapMb: sweep.peakHeapMb,
        sweepCandidates: report.candidates,
        sweepStalled: report.stalled,
        sweepRows: report.rows.length,
        hubspotCallsDuringDryRun: service.hubspot.requests.length - callsBefore,
        baselineCandidateQuerySeconds: Number(querySeconds.toFixed(3)),
        baselineCandidates: candidates.result,
        baselinePeakRssMb: candidates.peakRssMb,
        rssBeforeMb: sweep.baseRssMb,
      },
      summary:
        `${sweepSeconds.toFixed(2)} s, peak RSS ${sweep.peakRssMb} MB (heap ${sweep.peakHeapMb} MB), ` +
        `${report.candidates} candidates, ${report.stalled} stalled; bare candidate query ${querySeconds.toFixed(2)} s for ${candidates.result}`,
      ratio: sweepSeconds / querySeconds,
      target: `< ${TARGET_SECONDS} s (ratio = sweep / bare query time)`,
      pass: sweepSeconds < TARGET_SECONDS,
    };
  } finally {
    await service.stop();
  }
}

export async function benchmarkStallSweep(): Promise<BenchmarkResult[]> {
  const count = Number(process.env.BENCH_DEALS ?? 1_000_000);
  const results: BenchmarkResult[] = [];
  for (const database of ['sqlite', 'postgres'] as const) {
    results.push(await benchmarkOne(database, count));
    console.log(`  ${results.at(-1)!.name}: ${results.at(-1)!.summary}`);
  }
  return results;
}
