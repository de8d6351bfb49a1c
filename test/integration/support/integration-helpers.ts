import { signRequestV3 } from '../../../webhooks/signature-v3';
import { parseConfig } from '../../../src/platform/config/env.schema';
import { startService, type RunningService, type ServiceOverrides } from '../../../src/app/compose';
import { silentLogger } from '../../../src/platform/observability/logger';
import type { StageChange } from '../../../src/modules/deals';
import type { LocalHubSpot } from '../../../sandbox/local-hubspot';
import { stageHistoryOf } from '../../support/store/store-reads';
import {
  SAMPLE_PORTAL_ID,
  SAMPLE_TOKEN,
  TEST_CLIENT_SECRET,
  TEST_PUBLIC_BASE_URL,
  type TestService,
} from '../../support/service-harness';

/** What the integration suites count at the local HubSpot and read back from the service. */
export const DEALS_BATCH_READ = '/crm/v3/objects/deals/batch/read';
export const DEAL_PIPELINES = '/crm/v3/pipelines/deals';
/** The association counts a deal sync reads after the deals themselves (one request per object type). */
export const ASSOCIATIONS_BATCH_READ = /^\/crm\/v4\/associations\/deals\/[^/]+\/batch\/read$/;
export const MINUTE_MS = 60_000;

/** Requests the local HubSpot received on `path` (exact, or matching a pattern). */
export function countRequests(hubspot: LocalHubSpot, path: string | RegExp): number {
  return hubspot.requests.filter((request) =>
    typeof path === 'string' ? request.path === path : path.test(request.path),
  ).length;
}

/** Resolves once `condition` holds; fails the test after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function stageChangesOf(t: TestService, dealId: string, portalId = SAMPLE_PORTAL_ID) {
  return stageHistoryOf(t.running.services.store, portalId, dealId);
}

export function stageChangeKeys(changes: StageChange[]): string[] {
  return changes.map((change) => `${change.fromStage ?? '(none)'}>${change.toStage}`);
}

/** A sample value of the Prometheus text: `name{a="b"} 3` → 3; 0 when the series is absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(\{[^}]*\})?\s+([0-9.eE+-]+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labelText = match[2] ?? '';
    if (wanted.every((pair) => labelText.includes(pair))) return Number(match[3]);
  }
  return 0;
}

/**
 * Another instance of the service on the harness's database and local HubSpot, sharing its clock: a
 * restarted process, or a second replica behind the load balancer.
 */
export async function startAnotherInstance(
  t: TestService,
  overrides: ServiceOverrides & { workers?: boolean } = {},
): Promise<RunningService> {
  const config = parseConfig({
    PORT: '0',
    DATABASE_URL: t.databaseUrl,
    HUBSPOT_CLIENT_SECRET: TEST_CLIENT_SECRET,
    HUBSPOT_ACCESS_TOKEN: SAMPLE_TOKEN,
    HUBSPOT_API_BASE_URL: t.hubspot.url,
    PUBLIC_BASE_URL: TEST_PUBLIC_BASE_URL,
    SWEEP_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'silent',
  });
  return startService(config, {
    clock: t.clock,
    logger: silentLogger,
    workers: false,
    hubspot: { sleep: async () => undefined, timeoutMs: 2000 },
    ...overrides,
  });
}

/** Moves the deal at the local HubSpot and builds the webhook HubSpot would send for that move. */
export function moveDeal(
  t: TestService,
  dealId: string,
  stageId: string,
  at: Date,
  portalId = SAMPLE_PORTAL_ID,
): { dealId: string; stageId: string; at: Date; portalId: number } {
  t.hubspot.state.moveDealToStage(portalId, dealId, stageId, at);
  return { dealId, stageId, at, portalId };
}

export function minutesBefore(base: Date, minutes: number): Date {
  return new Date(base.getTime() - minutes * MINUTE_MS);
}

/**
 * POSTs a webhook body to any running instance, signed as HubSpot would (or not, when `secret` is
 * wrong): for instances the harness did not start, and for the signature cases.
 */
export async function postSignedWebhook(
  baseUrl: string,
  body: string | Buffer,
  options: { timestampMs: number; secret?: string; publicBaseUrl?: string; signedBody?: string | Buffer },
): Promise<{ status: number; body: any }> {
  const signed = signRequestV3({
    clientSecret: options.secret ?? TEST_CLIENT_SECRET,
    method: 'POST',
    uri: `${options.publicBaseUrl ?? TEST_PUBLIC_BASE_URL}/webhooks/hubspot`,
    body: options.signedBody ?? body,
    timestampMs: options.timestampMs,
  });
  const response = await fetch(`${baseUrl}/webhooks/hubspot`, {
    method: 'POST',
    headers: { ...signed.headers, 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}
