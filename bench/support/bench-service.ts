import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startService, type RunningService } from '../../src/app/compose';
import { silentLogger } from '../../src/platform/observability/logger';
import { signRequestV3 } from '../../webhooks/signature-v3';
import { seedSamplePortal, startLocalHubSpot, type LocalHubSpot } from '../../sandbox/local-hubspot';
import {
  SAMPLE_PORTAL_ID,
  SAMPLE_TOKEN,
  TEST_CLIENT_SECRET,
  TEST_PUBLIC_BASE_URL,
  testServiceConfig,
} from '../../test/support/service-harness';
import { testDatabaseUrl, type TestDatabaseKind } from '../../test/support/test-databases';

/** The service in this process, on a fresh database and the local HubSpot, as the benchmarks run it. */
export interface BenchService {
  running: RunningService;
  hubspot: LocalHubSpot;
  databaseUrl: string;
  stop(): Promise<void>;
}

export async function startBenchService(options: {
  database: TestDatabaseKind;
  /** Prepares the fresh database before the service opens it (bulk-loaded deals). */
  prepare?: (databaseUrl: string) => Promise<void>;
  workers?: boolean;
}): Promise<BenchService> {
  const hubspot = await startLocalHubSpot({ port: 0, rateLimit: false, searchRateLimit: false });
  seedSamplePortal(hubspot.state, { portalId: SAMPLE_PORTAL_ID, token: SAMPLE_TOKEN });
  const database = await testDatabaseUrl(options.database);
  await options.prepare?.(database.url);
  const config = testServiceConfig(database.url, hubspot.url);
  const running = await startService(config, {
    logger: silentLogger,
    workers: options.workers ?? false,
    hubspot: { timeoutMs: 10_000 },
  });
  return {
    running,
    hubspot,
    databaseUrl: database.url,
    async stop() {
      await running.stop();
      await hubspot.close();
      await database.cleanup();
    },
  };
}

export function signedHeaders(method: string, pathAndQuery: string, body = ''): Record<string, string> {
  return signRequestV3({
    clientSecret: TEST_CLIENT_SECRET,
    method,
    uri: TEST_PUBLIC_BASE_URL + pathAndQuery,
    body,
    timestampMs: Date.now(),
  }).headers;
}

export function temporaryFolder(prefix: string): { folder: string; remove(): void } {
  const folder = mkdtempSync(path.join(tmpdir(), prefix));
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}
