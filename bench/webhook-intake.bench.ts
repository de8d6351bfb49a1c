import path from 'node:path';
import { createStore } from '../src/app/store';
import { SAMPLE_PORTAL_ID } from '../test/support/service-harness';
import { testDatabaseUrl, type TestDatabaseKind } from '../test/support/test-databases';
import { startBenchChild, type BenchChild } from './support/bench-child';
import { signedHeaders } from './support/bench-service';
import type { BenchmarkResult } from './support/benchmark-result';
import type { IntakeServerReady, ProcessingStats } from './support/intake-server.process';
import type { LocalHubSpotReady, MoveDealRequest } from './support/local-hubspot.process';
import { benchSeconds, runClosedLoop, type LoadResult } from './support/load';

/**
 * Webhook intake, measured on the service as `npm start` runs it: v3-signed batches of 100 stage-change
 * events, 32 at a time, against the service with its background processing on (the inbox processor
 * moving, claiming and applying what was acknowledged, reading the deals from the local HubSpot, and
 * writing back), per database, and against a bare node:http server that only parses the JSON, same
 * client, same run. Besides events/s and the ack latency it reports what processing kept up with:
 * events applied per second during and after the burst, the backlog at the burst's end, and freshness:
 * how long a stage change sent right after the burst takes to show in the guidance API. A second line
 * per database has processing off (the intake alone); it is never the headline.
 *
 * Each server under test runs in its own child process, the local HubSpot in another and the load
 * client in this one: with the client in the server's process, the client's own work was charged to
 * whichever server was measured, and HubSpot is not in our process either.
 */
const EVENTS_PER_BATCH = 100;
const CONCURRENCY = 32;
const WARMUP_BATCHES = 50;
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 100;
const TARGET_FRESHNESS_MS = 5_000;
/** The burst's events touch these deals; the freshness probe moves one of its own. */
const BURST_DEALS = 5_000;
const FIRST_BURST_DEAL_ID = 100_000;
const PROBE_DEAL_ID = String(FIRST_BURST_DEAL_ID - 1);
/** The probe's webhook holds one event. */
const PROBE_EVENTS = 1;
/** How long the freshness probe and the drain after the burst are waited for, at most. */
const FRESHNESS_CAP_MS = 30_000;
const DRAIN_CAP_MS = 30_000;
const AFTER_BURST_MIN_WINDOW_MS = 5_000;
const CARD_QUERY = `portalId=${SAMPLE_PORTAL_ID}&userId=101&userEmail=rep%40example.com&appId=54321`;

let sequence = 0;
function nextBatch(): string {
  const occurredAt = Date.now() - 60_000;
  const events = Array.from({ length: EVENTS_PER_BATCH }, (_, index) => {
    sequence += 1;
    return {
      eventId: sequence,
      subscriptionId: 12345,
      portalId: SAMPLE_PORTAL_ID,
      appId: 54321,
      occurredAt: occurredAt + index,
      subscriptionType: 'deal.propertyChange',
      attemptNumber: 0,
      objectId: FIRST_BURST_DEAL_ID + (sequence % BURST_DEALS),
      propertyName: 'dealstage',
      propertyValue: 'qualifiedtobuy',
      changeSource: 'CRM',
      sourceId: 'userId:101',
    };
  });
  return JSON.stringify(events);
}

const webhookRequest = (body = nextBatch()) => ({
  method: 'POST' as const,
  path: '/webhooks/hubspot',
  headers: signedHeaders('POST', '/webhooks/hubspot', body),
  body,
});

const SERVER_SCRIPT = path.join(__dirname, 'support', 'intake-server.process.ts');
const HUBSPOT_SCRIPT = path.join(__dirname, 'support', 'local-hubspot.process.ts');

type IntakeServer = BenchChild<IntakeServerReady, 'stats', ProcessingStats>;
type HubSpotProcess = BenchChild<LocalHubSpotReady, MoveDealRequest, null>;

const sumStats = (all: ProcessingStats[]): ProcessingStats => ({
  applied: all.reduce((sum, stats) => sum + stats.applied, 0),
  dropped: all.reduce((sum, stats) => sum + stats.dropped, 0),
  retried: all.reduce((sum, stats) => sum + stats.retried, 0),
  parked: all.reduce((sum, stats) => sum + stats.parked, 0),
  cpuMs: all.reduce((sum, stats) => sum + stats.cpuMs, 0),
});
const statsOf = async (servers: IntakeServer[]) =>
  sumStats(await Promise.all(servers.map((s) => s.ask('stats'))));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describeLoad(load: LoadResult) {
  return {
    eventsPerSecond: Math.round(load.perSecond * EVENTS_PER_BATCH),
    p50Ms: Number(load.p50Ms.toFixed(2)),
    p99Ms: Number(load.p99Ms.toFixed(2)),
    batches: load.requests,
    errors: load.errors,
    statuses: load.statuses,
  };
}

async function measureBare(durationMs: number): Promise<LoadResult> {
  const bare = await startBenchChild<IntakeServerReady, 'stats', ProcessingStats>(SERVER_SCRIPT, ['bare']);
  try {
    return await runClosedLoop({
      baseUrl: bare.ready.url,
      concurrency: CONCURRENCY,
      durationMs,
      next: () => webhookRequest(),
      warmup: WARMUP_BATCHES,
    });
  } finally {
    await bare.stop();
  }
}

const probeGuidancePath = `/api/v1/deals/${PROBE_DEAL_ID}/guidance?${CARD_QUERY}`;

/** The probe deal's stage as the card shows it. */
async function probeStage(serviceUrl: string): Promise<string | undefined> {
  const answer = await fetch(serviceUrl + probeGuidancePath, {
    headers: signedHeaders('GET', probeGuidancePath),
  });
  if (answer.status !== 200) {
    await answer.body?.cancel();
    return undefined;
  }
  return ((await answer.json()) as { stage?: { id?: string } }).stage?.id;
}

/**
 * Puts the probe deal in the projection before the burst: the card reads a deal it does not have yet
 * from HubSpot, which would show a stage change at once without the webhook's help.
 */
async function prepareProbe(hubspot: HubSpotProcess, serviceUrl: string): Promise<void> {
  // The local HubSpot outlives each service run: the previous run's probe moved the deal on.
  await hubspot.ask({ moveDeal: { dealId: PROBE_DEAL_ID, stageId: 'appointmentscheduled' } });
  const stage = await probeStage(serviceUrl);
  if (stage !== 'appointmentscheduled')
    throw new Error(`the probe deal shows stage ${stage} before the burst`);
}

/**
 * Sends the probe (the deal moved at HubSpot, then its webhook) and polls the guidance API until the
 * card shows the new stage; null when it did not within the cap.
 */
async function probeFreshness(hubspot: HubSpotProcess, serviceUrl: string): Promise<number | null> {
  const stageId = 'presentationscheduled';
  await hubspot.ask({ moveDeal: { dealId: PROBE_DEAL_ID, stageId } });
  const sentAt = performance.now();
  const body = JSON.stringify([
    {
      eventId: 1,
      subscriptionId: 99,
      portalId: SAMPLE_PORTAL_ID,
      appId: 54321,
      occurredAt: Date.now(),
      subscriptionType: 'deal.propertyChange',
      attemptNumber: 0,
      objectId: Number(PROBE_DEAL_ID),
      propertyName: 'dealstage',
      propertyValue: stageId,
      changeSource: 'CRM',
      sourceId: 'userId:101',
    },
  ]);
  const posted = await fetch(`${serviceUrl}/webhooks/hubspot`, {
    method: 'POST',
    headers: { ...webhookRequest(body).headers, 'content-type': 'application/json' },
    body,
  });
  if (posted.status !== 200) throw new Error(`the freshness probe's webhook answered ${posted.status}`);
  while (performance.now() - sentAt < FRESHNESS_CAP_MS) {
    if ((await probeStage(serviceUrl)) === stageId) return performance.now() - sentAt;
    await sleep(100);
  }
  return null;
}

interface ServiceRun {
  load: LoadResult;
  acknowledged: number;
  appliedPerSecondDuring: number;
  backlogAtBurstEnd: number;
  freshnessMs: number | null;
  appliedPerSecondAfter: number;
  drained: boolean;
  /** Every acknowledged event is in the database (journal or inbox), and each applied event was applied once. */
  lost: number;
  appliedTwice: number;
}

async function measureService(options: {
  database: TestDatabaseKind;
  instances: number;
  processing: boolean;
  durationMs: number;
  hubspot: HubSpotProcess;
}): Promise<ServiceRun> {
  const database = await testDatabaseUrl(options.database);
  const servers: IntakeServer[] = [];
  try {
    // One after the other: the first creates the schema, the next finds it there.
    for (let index = 0; index < options.instances; index += 1) {
      servers.push(
        await startBenchChild(SERVER_SCRIPT, [
          'service',
          database.url,
          options.hubspot.ready.url,
          options.processing ? 'on' : 'off',
        ]),
      );
    }
    const urls = servers.map((server) => server.ready.url);
    if (options.processing) await prepareProbe(options.hubspot, urls[0]!);
    const before = await statsOf(servers);
    const load = await runClosedLoop({
      baseUrl: urls,
      concurrency: CONCURRENCY,
      durationMs: options.durationMs,
      next: () => webhookRequest(),
      warmup: WARMUP_BATCHES,
    });
    const burstEnd = performance.now();
    const atEnd = await statsOf(servers);
    const acknowledged = ((load.statuses['200'] ?? 0) + WARMUP_BATCHES) * EVENTS_PER_BATCH;
    const run: ServiceRun = {
      load,
      acknowledged,
      appliedPerSecondDuring: (atEnd.applied - before.applied) / (load.durationMs / 1000),
      backlogAtBurstEnd: acknowledged - atEnd.applied,
      freshnessMs: null,
      appliedPerSecondAfter: 0,
      drained: false,
      lost: 0,
      appliedTwice: 0,
    };
    if (options.processing) {
      run.freshnessMs = await probeFreshness(options.hubspot, urls[0]!);
      const windowEnd = burstEnd + Math.max(AFTER_BURST_MIN_WINDOW_MS, performance.now() - burstEnd);
      await sleep(Math.max(0, windowEnd - performance.now()));
      const after = await statsOf(servers);
      run.appliedPerSecondAfter = (after.applied - atEnd.applied) / ((performance.now() - burstEnd) / 1000);
      const drainDeadline = performance.now() + DRAIN_CAP_MS;
      for (;;) {
        const now = await statsOf(servers);
        run.drained = now.applied >= acknowledged + PROBE_EVENTS;
        if (run.drained || performance.now() > drainDeadline) break;
        await sleep(250);
      }
      run.acknowledged += PROBE_EVENTS;
    }
    const final = sumStats(await Promise.all(servers.splice(0).map((server) => server.stop())));
    const store = await createStore(database.url);
    try {
      const inbox = await store.inbox.countInboxByStatus();
      const journal = await store.journal.counts();
      const stored = inbox.pending + inbox.processing + inbox.done + inbox.parked + journal.pendingEvents;
      run.lost = run.acknowledged - stored;
      // The processors' applied events against the inbox rows marked done: more applied means twice.
      run.appliedTwice = final.applied - inbox.done;
    } finally {
      await store.close();
    }
    return run;
  } finally {
    await Promise.all(servers.map((server) => server.stop().catch(() => undefined)));
    await database.cleanup();
  }
}

const DATABASE_NAMES: Record<TestDatabaseKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

function serviceResult(
  name: string,
  run: ServiceRun,
  bare: LoadResult,
  seconds: number,
  headline: boolean,
): BenchmarkResult {
  const ratio = run.load.perSecond / bare.perSecond;
  const eventsPerSecond = Math.round(run.load.perSecond * EVENTS_PER_BATCH);
  const freshness =
    run.freshnessMs === null ? `> ${FRESHNESS_CAP_MS / 1000} s` : `${(run.freshnessMs / 1000).toFixed(1)} s`;
  const intact = run.lost === 0 && run.appliedTwice === 0 && run.load.errors === 0;
  return {
    name,
    figures: {
      service: describeLoad(run.load),
      baseline: describeLoad(bare),
      seconds,
      acknowledgedEvents: run.acknowledged,
      ...(headline
        ? {
            appliedPerSecondDuringBurst: Math.round(run.appliedPerSecondDuring),
            appliedPerSecondAfterBurst: Math.round(run.appliedPerSecondAfter),
            backlogAtBurstEnd: run.backlogAtBurstEnd,
            freshnessMs: run.freshnessMs === null ? null : Math.round(run.freshnessMs),
            drainedWithinCap: run.drained,
          }
        : {}),
      lostEvents: run.lost,
      eventsAppliedTwice: run.appliedTwice,
    },
    summary:
      `${eventsPerSecond} events/s vs ${Math.round(bare.perSecond * EVENTS_PER_BATCH)} bare; ack p50 ` +
      `${run.load.p50Ms.toFixed(1)} ms, p99 ${run.load.p99Ms.toFixed(1)} ms` +
      (headline
        ? `; applied ${Math.round(run.appliedPerSecondDuring)}/s during, ${Math.round(run.appliedPerSecondAfter)}/s ` +
          `after; backlog ${run.backlogAtBurstEnd} at burst end; freshness ${freshness}`
        : '') +
      `; lost ${run.lost}, applied twice ${run.appliedTwice}`,
    ratio,
    target: headline
      ? `≥ ${TARGET_RATIO} × bare, p99 ≤ ${TARGET_P99_MS} ms, freshness ≤ ${TARGET_FRESHNESS_MS / 1000} s, exactly once`
      : 'none (processing off: the intake alone)',
    pass: headline
      ? ratio >= TARGET_RATIO &&
        run.load.p99Ms <= TARGET_P99_MS &&
        run.freshnessMs !== null &&
        run.freshnessMs <= TARGET_FRESHNESS_MS &&
        intact
      : intact,
  };
}

export async function benchmarkWebhookIntake(): Promise<BenchmarkResult[]> {
  const seconds = benchSeconds();
  const durationMs = seconds * 1000;
  const hubspot = await startBenchChild<LocalHubSpotReady, MoveDealRequest, null>(HUBSPOT_SCRIPT, [
    PROBE_DEAL_ID,
    String(BURST_DEALS + 1),
  ]);
  const results: BenchmarkResult[] = [];
  try {
    // BENCH_INTAKE_LINES picks lines while working on one of them (the default runs every line).
    const lines = (process.env.BENCH_INTAKE_LINES ?? 'sqlite,postgres,off,pair').split(',');
    for (const database of (['sqlite', 'postgres'] as const).filter((kind) => lines.includes(kind))) {
      const name = DATABASE_NAMES[database];
      // The bare server right before the service, so both see the same state of this shared machine.
      const bare = await measureBare(durationMs);
      const processing = await measureService({
        database,
        instances: 1,
        processing: true,
        durationMs,
        hubspot,
      });
      results.push(
        serviceResult(
          `webhook intake, ${name}, processing on (npm start), batches of 100, concurrency 32`,
          processing,
          bare,
          seconds,
          true,
        ),
      );
      if (!lines.includes('off')) continue;
      const intakeOnly = await measureService({
        database,
        instances: 1,
        processing: false,
        durationMs,
        hubspot,
      });
      results.push(
        serviceResult(
          `webhook intake, ${name}, processing OFF (intake alone)`,
          intakeOnly,
          bare,
          seconds,
          false,
        ),
      );
    }
    if (!lines.includes('pair')) return results;
    const bare = await measureBare(durationMs);
    const pair = await measureService({
      database: 'postgres',
      instances: 2,
      processing: true,
      durationMs,
      hubspot,
    });
    results.push(
      serviceResult(
        'webhook intake, 2 service processes on one PostgreSQL, processing on, load spread over both',
        pair,
        bare,
        seconds,
        true,
      ),
    );
  } finally {
    await hubspot.stop();
  }
  return results;
}
