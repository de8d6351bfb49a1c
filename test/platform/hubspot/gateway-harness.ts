import {
  createHubSpotGateway,
  type HubSpotGatewayOptions,
} from '../../../src/platform/hubspot/hubspot-gateway';
import type { HubSpotGateway } from '../../../src/platform/hubspot/hubspot-gateway.types';
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
 * Two sample portals behind the local HubSpot and a gateway built the way src/app/compose.ts builds it: the real
 * SDK over HTTP. Backoff waits are recorded instead of slept, so retry tests run fast and can assert
 * on the waits.
 */
export const PORTAL_A = 62515;
export const PORTAL_B = 77001;
export const TOKEN_A = 'pat-na1-portal-a-test-token';
export const TOKEN_B = 'pat-na1-portal-b-test-token';

export interface GatewayHarness {
  hubspot: LocalHubSpot;
  gateway: HubSpotGateway;
  metrics: MetricsRegistry;
  portalA: SamplePortal;
  portalB: SamplePortal;
  sleeps: number[];
  tokenLookups: number[];
  close(): Promise<void>;
}

export async function startGatewayHarness(
  overrides: Partial<HubSpotGatewayOptions> = {},
  fakeOptions: Omit<LocalHubSpotOptions, 'state'> = {},
): Promise<GatewayHarness> {
  const state = new LocalHubSpotState();
  const portalA = seedSamplePortal(state, {
    portalId: PORTAL_A,
    token: TOKEN_A,
    timeZone: 'America/New_York',
  });
  const portalB = seedSamplePortal(state, { portalId: PORTAL_B, token: TOKEN_B, timeZone: 'Europe/Berlin' });
  const hubspot = await startLocalHubSpot({ ...fakeOptions, state });
  const metrics = createMetricsRegistry();
  const sleeps: number[] = [];
  const tokenLookups: number[] = [];
  const tokens = new Map([
    [PORTAL_A, TOKEN_A],
    [PORTAL_B, TOKEN_B],
  ]);
  const gateway = createHubSpotGateway({
    basePath: hubspot.url,
    tokenForPortal: (portalId) => {
      tokenLookups.push(portalId);
      return tokens.get(portalId) ?? null;
    },
    metrics,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    timeoutMs: 2_000,
    ...overrides,
  });
  return { hubspot, gateway, metrics, portalA, portalB, sleeps, tokenLookups, close: () => hubspot.close() };
}

/** Requests the fake received for one path (regex), e.g. to count batch reads. */
export function requestsTo(hubspot: LocalHubSpot, path: RegExp, method = 'POST') {
  return hubspot.requests.filter((r) => r.method === method && path.test(r.path));
}
