import { fetchSigned } from '../../support/signed-fetch';
import { randomBytes } from 'node:crypto';
import { startService, type RunningService } from '../../../src/app/compose';
import { createFixedClock } from '../../../src/platform/clock';
import { createLogger, type Logger } from '../../../src/platform/observability/logger';
import {
  seedSamplePortal,
  startLocalHubSpot,
  type FakeOAuthApp,
  type LocalHubSpot,
  type SamplePortal,
} from '../../../sandbox/local-hubspot';
import { TEST_CLIENT_SECRET, TEST_PUBLIC_BASE_URL, testServiceConfig } from '../../support/service-harness';
import { testDatabaseUrl, type TestDatabase, type TestDatabaseKind } from '../../support/test-databases';

/**
 * The service in OAuth mode against the local HubSpot: three HubSpot accounts that have not installed
 * the app yet, the app registered with HubSpot's OAuth server, and helpers that install a portal the
 * way a browser does (following every redirect) and send signed card requests and webhooks. Several
 * instances can share one database (`startInstance`). Every log line is kept, for the token grep.
 */
export const OAUTH_CLIENT_ID = 'sop-guide-client-id';
export const PORTAL_IDS = [62515, 71001, 83002] as const;

export interface OAuthInstance {
  running: RunningService;
  url: string;
}

export interface OAuthHarness {
  hubspot: LocalHubSpot;
  app: FakeOAuthApp;
  samples: Map<number, SamplePortal>;
  clock: ReturnType<typeof createFixedClock>;
  encryptionKey: string;
  database: TestDatabase;
  env: Record<string, string>;
  logLines: string[];
  instances: OAuthInstance[];
  startInstance(env?: Record<string, string>): Promise<OAuthInstance>;
  /** Installs the app in `portalId` as its user would; answers the callback page. */
  install(portalId: number, via?: OAuthInstance): Promise<{ status: number; html: string }>;
  /** The /oauth/install redirect, followed to HubSpot's consent page, which answers a callback URL. */
  callbackUrlFor(portalId: number, via?: OAuthInstance): Promise<URL>;
  cardRequest(
    instance: OAuthInstance,
    path: string,
    portalId: number,
    userId: string,
  ): Promise<{ status: number; body: any }>;
  sendWebhook(instance: OAuthInstance, events: unknown[]): Promise<{ status: number }>;
  stop(): Promise<void>;
}

export async function startOAuthHarness(kind: TestDatabaseKind): Promise<OAuthHarness> {
  const now = new Date('2026-11-26T15:00:00.000Z');
  const clock = createFixedClock(now);
  const hubspot = await startLocalHubSpot({ port: 0 });
  hubspot.state.oauth.now = () => clock.now();
  const samples = new Map<number, SamplePortal>();
  for (const portalId of PORTAL_IDS) {
    // Each account has a private-app token too; the OAuth app must never be handed one of them.
    samples.set(portalId, seedSamplePortal(hubspot.state, { portalId, token: `private-${portalId}`, now }));
  }
  const app = hubspot.state.oauth.registerApp({
    appId: 54321,
    clientId: OAUTH_CLIENT_ID,
    clientSecret: TEST_CLIENT_SECRET,
  });
  const database = await testDatabaseUrl(kind);
  const encryptionKey = randomBytes(32).toString('base64');
  const env = {
    HUBSPOT_ACCESS_TOKEN: '',
    HUBSPOT_CLIENT_ID: OAUTH_CLIENT_ID,
    TOKEN_ENCRYPTION_KEY: encryptionKey,
    HUBSPOT_OAUTH_AUTHORIZE_URL: `${hubspot.url}/oauth/authorize`,
    LOG_LEVEL: 'debug',
  };
  const logLines: string[] = [];
  const logger: Logger = createLogger('debug', (line) => logLines.push(line));
  const instances: OAuthInstance[] = [];

  const startInstance = async (extraEnv: Record<string, string> = {}) => {
    const running = await startService(
      testServiceConfig(database.url, hubspot.url, { ...env, ...extraEnv }),
      {
        clock,
        logger,
        workers: false,
        hubspot: { sleep: async () => undefined, timeoutMs: 2000 },
      },
    );
    const instance = { running, url: running.url };
    instances.push(instance);
    return instance;
  };
  const first = await startInstance();

  const callbackUrlFor = async (portalId: number, via: OAuthInstance = first) => {
    const sample = samples.get(portalId)!;
    const installer = sample.owners.manager;
    hubspot.state.oauth.signedIn = {
      portalId,
      userId: Number(installer.userId),
      userEmail: installer.email,
      hubDomain: `portal-${portalId}.hubspot.test`,
    };
    const start = await fetch(`${via.url}/oauth/install`, { redirect: 'manual' });
    if (start.status !== 302) throw new Error(`/oauth/install answered ${start.status}`);
    const consent = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    if (consent.status !== 302) throw new Error(`HubSpot's authorize answered ${consent.status}`);
    return new URL(consent.headers.get('location')!);
  };

  const followCallback = async (callback: URL, via: OAuthInstance) => {
    // PUBLIC_BASE_URL is the public name; the test reaches the same route on the instance directly.
    const response = await fetch(`${via.url}${callback.pathname}${callback.search}`);
    return { status: response.status, html: await response.text() };
  };

  const signedFetch = async (
    instance: OAuthInstance,
    method: string,
    pathAndQuery: string,
    body?: string,
  ) => {
    return fetchSigned({
      url: instance.url,
      publicBaseUrl: TEST_PUBLIC_BASE_URL,
      clientSecret: TEST_CLIENT_SECRET,
      method,
      pathAndQuery,
      body,
      nowMs: clock.now().getTime(),
    });
  };

  return {
    hubspot,
    app,
    samples,
    clock,
    encryptionKey,
    database,
    env,
    logLines,
    instances,
    startInstance,
    callbackUrlFor,
    install: async (portalId, via = first) => followCallback(await callbackUrlFor(portalId, via), via),
    cardRequest: (instance, path, portalId, userId) => {
      const query = new URLSearchParams({
        portalId: String(portalId),
        userId,
        userEmail: 'rep@example.com',
        appId: String(app.appId),
      });
      return signedFetch(instance, 'GET', `${path}?${query.toString()}`);
    },
    sendWebhook: (instance, events) =>
      signedFetch(instance, 'POST', '/webhooks/hubspot', JSON.stringify(events)),
    async stop() {
      for (const instance of instances) await instance.running.stop();
      await hubspot.close();
      await database.cleanup();
    },
  };
}

/** Waits for the background backfill an install starts (it runs after the callback page is sent). */
export async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
