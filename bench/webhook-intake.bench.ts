import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SAMPLE_PORTAL_ID } from '../test/support/service-harness';
import { signedHeaders, startBenchService } from './support/bench-service';
import { benchSeconds, runClosedLoop, type LoadResult } from './support/load';
import type { BenchmarkResult } from './support/benchmark-result';

/**
 * Webhook intake: v3-signed batches of 100 stage-change events, 32 at a time, against the service
 * (signature check, parse, one durable SQLite transaction, 200) and against a bare node:http server
 * that only parses the JSON. Both get byte-for-byte the same kind of requests from the same client.
 */
const EVENTS_PER_BATCH = 100;
const CONCURRENCY = 32;
const TARGET_RATIO = 0.5;

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
      objectId: 100_000 + (sequence % 5000),
      propertyName: 'dealstage',
      propertyValue: 'qualifiedtobuy',
      changeSource: 'CRM',
      sourceId: 'userId:101',
    };
  });
  return JSON.stringify(events);
}

const webhookRequest = () => {
  const body = nextBatch();
  return {
    method: 'POST' as const,
    path: '/webhooks/hubspot',
    headers: signedHeaders('POST', '/webhooks/hubspot', body),
    body,
  };
};

async function startBareServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ received: parsed.length }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function describeLoad(load: LoadResult) {
  return {
    batchesPerSecond: Math.round(load.perSecond),
    eventsPerSecond: Math.round(load.perSecond * EVENTS_PER_BATCH),
    p50Ms: Number(load.p50Ms.toFixed(2)),
    p99Ms: Number(load.p99Ms.toFixed(2)),
    batches: load.requests,
    errors: load.errors,
    statuses: load.statuses,
  };
}

export async function benchmarkWebhookIntake(): Promise<BenchmarkResult[]> {
  const durationMs = benchSeconds() * 1000;

  const bare = await startBareServer();
  const baseline = await runClosedLoop({
    baseUrl: bare.url,
    concurrency: CONCURRENCY,
    durationMs,
    next: webhookRequest,
    warmup: 50,
  });
  await bare.close();

  const service = await startBenchService({ database: 'sqlite' });
  let measured: LoadResult;
  let stored: number;
  try {
    measured = await runClosedLoop({
      baseUrl: service.running.url,
      concurrency: CONCURRENCY,
      durationMs,
      next: webhookRequest,
      warmup: 50,
    });
    const counts = await service.running.services.store.inbox.countInboxByStatus();
    stored = Object.values(counts).reduce((sum, count) => sum + count, 0);
  } finally {
    await service.stop();
  }

  const ratio = measured.perSecond / baseline.perSecond;
  return [
    {
      name: 'webhook intake (SQLite, batches of 100, concurrency 32)',
      figures: {
        service: describeLoad(measured),
        baseline: describeLoad(baseline),
        eventsStored: stored,
        seconds: durationMs / 1000,
      },
      summary:
        `${Math.round(measured.perSecond * EVENTS_PER_BATCH)} events/s vs ` +
        `${Math.round(baseline.perSecond * EVENTS_PER_BATCH)} bare; ack p50 ${measured.p50Ms.toFixed(1)} ms, ` +
        `p99 ${measured.p99Ms.toFixed(1)} ms`,
      ratio,
      target: `≥ ${TARGET_RATIO} × bare JSON server`,
      pass: ratio >= TARGET_RATIO && measured.errors === 0,
    },
  ];
}
