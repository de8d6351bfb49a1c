import type { Server } from 'node:http';
import { discoverStaticInstallation, type Installation } from '../modules/portals';
import { systemClock, type Clock } from '../platform/clock';
import type { Config } from '../platform/config/env.schema';
import { createHubSpotApis } from '../platform/hubspot/hubspot-apis';
import { createHubSpotTransport, type HubSpotTransportOptions } from '../platform/hubspot/hubspot-transport';
import type { DealsChangedListener, StageMovesListener } from '../platform/module';
import { createLogger, type Logger } from '../platform/observability/logger';
import { createMetricsRegistry } from '../platform/observability/metrics.registry';
import { createApp } from './http';
import { startBackgroundWorkers, type BackgroundWorkers } from './schedule';
import { WIRED_MODULES, type PlatformServices, type Services } from './services';
import { createStore } from './store';
import { createDrainableServer } from '../platform/http/drainable-server';

/**
 * The one composition root: everything the service, the CLI and the demo run on is built here, from
 * the platform and then every module of the registry (src/app/modules.ts) in order.
 * Tests build the same graph with their own clock, database and local HubSpot.
 */
export interface ServiceOverrides {
  clock?: Clock;
  logger?: Logger;
  /** Installations to use instead of discovering the static token's portal (tests with several portals). */
  installations?: Installation[];
  /**
   * Per-attempt HubSpot timeout and retry shape (tests shrink them); the burst budget and where it is
   * kept (the rate-budget bench compares the shared budget with the per-process one, budget raised).
   */
  hubspot?: Partial<
    Pick<HubSpotTransportOptions, 'timeoutMs' | 'maxAttempts' | 'sleep' | 'requestsPer10s' | 'sharedBudget'>
  >;
}

export async function createServices(config: Config, overrides: ServiceOverrides = {}): Promise<Services> {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const metrics = createMetricsRegistry();
  const store = await createStore(config.databaseUrl);
  await store.migrate();

  const installations =
    overrides.installations ??
    (config.hubspotAccessToken
      ? [
          await discoverStaticInstallation({
            basePath: config.hubspotApiBaseUrl,
            accessToken: config.hubspotAccessToken,
            metrics,
          }),
        ]
      : []);
  if (installations.length === 0 && !config.oauth)
    logger.warn('no HubSpot installation: set HUBSPOT_ACCESS_TOKEN');

  const listeners: DealsChangedListener[] = [];
  const stageMoveListeners: StageMovesListener[] = [];
  const platform: PlatformServices = {
    config,
    clock,
    logger,
    metrics,
    store,
    installations,
    hubspot: createHubSpotApis(
      createHubSpotTransport({
        basePath: config.hubspotApiBaseUrl,
        // The portals module is built below; no HubSpot call happens before it is.
        tokenForPortal: (portalId) => services.portals.tokenForPortal(portalId),
        tokenRejected: (portalId, token) => services.portals.tokenRejected(portalId, token),
        // Instances on one PostgreSQL database share each portal's budget; SQLite serves one process.
        ...(store.dialect === 'postgres' ? { sharedBudget: store.rateBudget } : {}),
        metrics,
        ...overrides.hubspot,
      }),
    ),
    // Every listener runs even when one fails (one concern's trouble never skips another's); the first
    // failure is then reported, so the inbox retries the batch.
    dealsChanged: async (portalId, dealIds, now) => {
      const outcomes = await Promise.allSettled(
        listeners.map((listener) => listener(portalId, dealIds, now)),
      );
      const failed = outcomes.find(
        (outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected',
      );
      if (failed) throw failed.reason;
    },
    stageMoves: async (portalId, moves, now, context) => {
      for (const listener of stageMoveListeners) await listener(portalId, moves, now, context);
    },
  };
  // Filled module by module: each `create` takes what the platform and the modules before it built
  // (services.ts checks at compile time that the graph provides what every module takes).
  const services = platform as Services;
  for (const module of WIRED_MODULES) {
    if (module.create) Object.assign(services, await module.create(services));
    if (module.onDealsChanged) listeners.push(module.onDealsChanged(services));
    if (module.onStageMoves) stageMoveListeners.push(module.onStageMoves(services));
  }
  return services;
}

export interface RunningService {
  services: Services;
  server: Server;
  url: string;
  workers: BackgroundWorkers;
  /** Requests being answered right now. */
  inFlightRequests(): number;
  /**
   * Drains within config.shutdownTimeoutMs: stops accepting, lets requests in flight finish, stops the
   * background work, closes the store. Resolves false when the deadline cut something (logged).
   */
  stop(): Promise<boolean>;
}

/** Starts the HTTP server and the background work: the inbox drain and every module's periodic jobs. */
export async function startService(
  config: Config,
  overrides: ServiceOverrides & { workers?: boolean } = {},
): Promise<RunningService> {
  const services = await createServices(config, overrides);
  // A plain node server, not app.listen: the webhook intake answers before express is involved.
  const http = createDrainableServer(createApp(services).requestListener, config.http);
  const server = http.server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const workers = startBackgroundWorkers(services, {
    enabled: overrides.workers ?? true,
    periodic: WIRED_MODULES.flatMap((module) => module.jobs?.(services) ?? []),
  });
  services.logger.info('SOP Guide listening', { port, database: services.store.dialect, pid: process.pid });
  return {
    services,
    server,
    url: `http://127.0.0.1:${port}`,
    workers,
    inFlightRequests: http.inFlightRequests,
    async stop() {
      const deadlineMs = Date.now() + config.shutdownTimeoutMs;
      // HTTP first: a webhook in flight still needs the store to be answered with its real outcome.
      const drained = await http.drain(deadlineMs);
      if (!drained.clean) {
        services.logger.warn('shutdown deadline passed: closed the connections left', { ...drained });
      }
      const workersStopped = await finishesBy(workers.stop(), deadlineMs);
      if (!workersStopped) {
        // Claimed inbox events are released by their lease expiring: nothing acknowledged is lost.
        services.logger.warn('shutdown deadline passed: background work cut', {
          shutdownTimeoutMs: config.shutdownTimeoutMs,
        });
      }
      await services.store.close();
      return drained.clean && workersStopped;
    },
  };
}

/** Whether `work` settles before `deadlineMs` (epoch); it is not cancelled either way. */
async function finishesBy(work: Promise<unknown>, deadlineMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadlineMs - Date.now()));
  });
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
