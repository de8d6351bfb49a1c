/**
 * The server under test of the intake benchmark, in its own process (see webhook-intake.bench.ts for
 * why): `bare` (node:http that only parses the JSON), or `service <databaseUrl> <hubspotUrl> on|off`:
 * the service built exactly as `npm start` builds it (the same environment variables, parsed the same
 * way, and startService), with its background processing on (as `npm start` runs it) or off.
 * Answers the request 'stats' with what its inbox processor did so far.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startService } from '../../src/app/compose';
import { parseConfig } from '../../src/platform/config/env.schema';
import { SAMPLE_TOKEN, TEST_CLIENT_SECRET, TEST_PUBLIC_BASE_URL } from '../../test/support/service-harness';
import { serveBenchChild } from './bench-child';

export interface IntakeServerReady {
  url: string;
}
export interface ProcessingStats {
  /** Inbox events applied (and dropped, retried, parked) by this process's processor. */
  applied: number;
  dropped: number;
  retried: number;
  parked: number;
  /** CPU time this process used so far (user + system), in ms: what processing cost, waits excluded. */
  cpuMs: number;
}

function cpuMsSoFar(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function startBareServer() {
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
    stats: async (): Promise<ProcessingStats> => ({
      applied: 0,
      dropped: 0,
      retried: 0,
      parked: 0,
      cpuMs: cpuMsSoFar(),
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function startNpmStartService(databaseUrl: string, hubspotUrl: string, processing: boolean) {
  // What `npm start` reads from its environment, with the local HubSpot as HubSpot.
  const config = parseConfig(
    {
      PORT: '0',
      DATABASE_URL: databaseUrl,
      HUBSPOT_CLIENT_SECRET: TEST_CLIENT_SECRET,
      HUBSPOT_ACCESS_TOKEN: SAMPLE_TOKEN,
      HUBSPOT_API_BASE_URL: hubspotUrl,
      PUBLIC_BASE_URL: TEST_PUBLIC_BASE_URL,
      LOG_LEVEL: 'warn',
    },
    ['HUBSPOT_CLIENT_SECRET', 'PUBLIC_BASE_URL'],
  );
  const running = await startService(config, { workers: processing });
  const events = running.services.metrics.counter(
    'sop_inbox_events_total',
    'Webhook inbox events by outcome',
  );
  return {
    url: running.url,
    stats: async (): Promise<ProcessingStats> => ({
      applied: events.get({ outcome: 'applied' }),
      dropped: events.get({ outcome: 'dropped' }),
      retried: events.get({ outcome: 'retried' }),
      parked: events.get({ outcome: 'parked' }),
      cpuMs: cpuMsSoFar(),
    }),
    close: () => running.stop(),
  };
}

async function main(): Promise<void> {
  const [kind, databaseUrl, hubspotUrl, processing] = process.argv.slice(2);
  if (!process.send) throw new Error('intake-server.process.ts must be started with fork()');
  const running =
    kind === 'bare'
      ? await startBareServer()
      : await startNpmStartService(databaseUrl!, hubspotUrl!, processing === 'on');
  serveBenchChild<'stats', ProcessingStats>(
    { url: running.url } satisfies IntakeServerReady,
    () => running.stats(),
    // The last figures after the processor stopped: nothing it applies is missed.
    async () => {
      await running.close();
      return running.stats();
    },
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
