import { fetchSigned } from './signed-fetch';
import { parseConfig } from '../../src/platform/config/env.schema';
import { startService, type RunningService, type ServiceOverrides } from '../../src/app/compose';
import { createFixedClock } from '../../src/platform/clock';
import { silentLogger } from '../../src/platform/observability/logger';
import {
  seedSamplePortal,
  startLocalHubSpot,
  type LocalHubSpot,
  type SamplePortal,
} from '../../sandbox/local-hubspot';
import { testDatabaseUrl, type TestDatabaseKind } from './test-databases';

/**
 * The whole service as a newcomer would run it, over real HTTP: a real database (SQLite file or a fresh
 * PostgreSQL database), the real @hubspot/api-client talking to the local HubSpot, a clock the test
 * moves, and helpers that sign requests exactly as HubSpot does.
 */
export const TEST_CLIENT_SECRET = 'test-client-secret';
export const TEST_PUBLIC_BASE_URL = 'https://sop.test.example';
export const SAMPLE_PORTAL_ID = 62515;
export const SAMPLE_TOKEN = 'local-token-62515';
export const REP_USER_ID = '101';

export interface HarnessOptions {
  database?: TestDatabaseKind;
  now?: Date;
  /** Run the background loops (inbox drain, sweep); off by default so tests drain by hand. */
  workers?: boolean;
  /** A second installed portal, for tenancy tests. */
  secondPortal?: boolean;
  env?: Record<string, string>;
  overrides?: ServiceOverrides;
}

export interface TestService {
  url: string;
  hubspot: LocalHubSpot;
  sample: SamplePortal;
  secondSample: SamplePortal | null;
  running: RunningService;
  clock: ReturnType<typeof createFixedClock>;
  databaseUrl: string;
  /** GET/POST a signed card request as hubspot.fetch would (portalId and userId in the signed query). */
  cardRequest(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    options?: { portalId?: number; userId?: string; userEmail?: string; body?: unknown },
  ): Promise<{ status: number; body: any }>;
  /** POST a signed webhook batch. */
  sendWebhook(events: unknown[] | string): Promise<{ status: number; body: any }>;
  drainInbox(): Promise<number>;
  stop(): Promise<void>;
}

let sequence = 0;

/** A HubSpot deal.propertyChange event on dealstage. */
export function stageChangeEvent(
  dealId: string,
  stageId: string,
  occurredAt: Date,
  portalId = SAMPLE_PORTAL_ID,
): Record<string, unknown> {
  sequence += 1;
  return {
    eventId: 1_000_000 + sequence,
    subscriptionId: 12345,
    portalId,
    appId: 54321,
    occurredAt: occurredAt.getTime(),
    subscriptionType: 'deal.propertyChange',
    attemptNumber: 0,
    objectId: Number(dealId),
    propertyName: 'dealstage',
    propertyValue: stageId,
    changeSource: 'CRM',
    sourceId: 'userId:101',
  };
}

/** The service's environment for tests and benches: the sample portal's token, the local HubSpot, no timers. */
export function testServiceConfig(databaseUrl: string, hubspotUrl: string, env: Record<string, string> = {}) {
  return parseConfig({
    PORT: '0',
    DATABASE_URL: databaseUrl,
    HUBSPOT_CLIENT_SECRET: TEST_CLIENT_SECRET,
    HUBSPOT_ACCESS_TOKEN: SAMPLE_TOKEN,
    HUBSPOT_API_BASE_URL: hubspotUrl,
    PUBLIC_BASE_URL: TEST_PUBLIC_BASE_URL,
    SWEEP_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
}

export async function startTestService(options: HarnessOptions = {}): Promise<TestService> {
  const now = options.now ?? new Date('2026-11-26T15:00:00.000Z');
  const clock = createFixedClock(now);
  const hubspot = await startLocalHubSpot({ port: 0 });
  const sample = seedSamplePortal(hubspot.state, { portalId: SAMPLE_PORTAL_ID, token: SAMPLE_TOKEN, now });
  const secondSample = options.secondPortal
    ? seedSamplePortal(hubspot.state, {
        portalId: 99001,
        token: 'local-token-99001',
        now,
        timeZone: 'Europe/Paris',
      })
    : null;
  const database = await testDatabaseUrl(options.database ?? 'sqlite');
  const config = testServiceConfig(database.url, hubspot.url, options.env);
  const running = await startService(config, {
    clock,
    logger: silentLogger,
    workers: options.workers ?? false,
    hubspot: { sleep: async () => undefined, timeoutMs: 2000 },
    ...(secondSample
      ? {
          installations: [
            { portalId: SAMPLE_PORTAL_ID, accessToken: SAMPLE_TOKEN, timeZone: 'America/New_York' },
            { portalId: 99001, accessToken: 'local-token-99001', timeZone: 'Europe/Paris' },
          ],
        }
      : {}),
    ...options.overrides,
  });

  const signedFetch = async (method: string, pathAndQuery: string, body: string | undefined) => {
    return fetchSigned({
      url: running.url,
      publicBaseUrl: TEST_PUBLIC_BASE_URL,
      clientSecret: TEST_CLIENT_SECRET,
      method,
      pathAndQuery,
      body,
      nowMs: clock.now().getTime(),
    });
  };

  return {
    url: running.url,
    hubspot,
    sample,
    secondSample,
    running,
    clock,
    databaseUrl: database.url,
    cardRequest: (method, path, requestOptions = {}) => {
      const query = new URLSearchParams({
        portalId: String(requestOptions.portalId ?? SAMPLE_PORTAL_ID),
        userId: requestOptions.userId ?? REP_USER_ID,
        userEmail: requestOptions.userEmail ?? 'rep@example.com',
        appId: '54321',
      });
      const separator = path.includes('?') ? '&' : '?';
      const body = requestOptions.body === undefined ? undefined : JSON.stringify(requestOptions.body);
      return signedFetch(method, `${path}${separator}${query.toString()}`, body);
    },
    sendWebhook: (events) =>
      signedFetch('POST', '/webhooks/hubspot', typeof events === 'string' ? events : JSON.stringify(events)),
    drainInbox: () => running.workers.drainInbox(),
    async stop() {
      await running.stop();
      await hubspot.close();
      await database.cleanup();
    },
  };
}
