import { createAccountApi, type AccountApi } from '../../../src/platform/hubspot/account.api';
import { createHubSpotApis, type HubSpotApis } from '../../../src/platform/hubspot/hubspot-apis';
import {
  createHubSpotTransport,
  type HubSpotTransportOptions,
} from '../../../src/platform/hubspot/hubspot-transport';
import type { PipelineCacheOptions } from '../../../src/platform/hubspot/pipelines.api';
import {
  createMetricsRegistry,
  type MetricsRegistry,
} from '../../../src/platform/observability/metrics.registry';
import {
  LocalHubSpotState,
  seedSamplePortal,
  startLocalHubSpot,
  type LocalHubSpot,
  type LocalHubSpotOptions,
  type SamplePortal,
} from '../../../sandbox/local-hubspot';

/**
 * Two sample portals behind the local HubSpot, and the HubSpot resources over one transport built the
 * way src/app/compose.ts builds them: the real SDK over HTTP. Backoff waits are recorded instead of
 * slept, so retry tests run fast and can assert on the waits.
 */
export const PORTAL_A = 62515;
export const PORTAL_B = 77001;
export const TOKEN_A = 'pat-na1-portal-a-test-token';
export const TOKEN_B = 'pat-na1-portal-b-test-token';

export interface HubSpotHarness {
  hubspot: LocalHubSpot;
  apis: HubSpotApis;
  account: AccountApi;
  metrics: MetricsRegistry;
  portalA: SamplePortal;
  portalB: SamplePortal;
  sleeps: number[];
  close(): Promise<void>;
}

export interface HubSpotHarnessOptions {
  transport?: Partial<HubSpotTransportOptions>;
  pipelineCache?: PipelineCacheOptions;
  fake?: Omit<LocalHubSpotOptions, 'state'>;
}

export async function startHubSpotHarness(options: HubSpotHarnessOptions = {}): Promise<HubSpotHarness> {
  const state = new LocalHubSpotState();
  const portalA = seedSamplePortal(state, {
    portalId: PORTAL_A,
    token: TOKEN_A,
    timeZone: 'America/New_York',
  });
  const portalB = seedSamplePortal(state, { portalId: PORTAL_B, token: TOKEN_B, timeZone: 'Europe/Berlin' });
  const hubspot = await startLocalHubSpot({ ...options.fake, state });
  const metrics = createMetricsRegistry();
  const sleeps: number[] = [];
  const tokens = new Map([
    [PORTAL_A, TOKEN_A],
    [PORTAL_B, TOKEN_B],
  ]);
  const transport = createHubSpotTransport({
    basePath: hubspot.url,
    tokenForPortal: (portalId) => tokens.get(portalId) ?? null,
    metrics,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    timeoutMs: 2_000,
    ...options.transport,
  });
  return {
    hubspot,
    apis: createHubSpotApis(transport, { pipelineCache: options.pipelineCache }),
    account: createAccountApi(transport),
    metrics,
    portalA,
    portalB,
    sleeps,
    close: () => hubspot.close(),
  };
}

/** Requests the fake received for one path (regex), e.g. to count batch reads. */
export function requestsTo(hubspot: LocalHubSpot, path: RegExp, method = 'POST') {
  return hubspot.requests.filter((r) => r.method === method && path.test(r.path));
}
