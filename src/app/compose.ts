import type { Server } from 'node:http';
import { createApp } from './http';
import type { Services } from './services';
import type { Config } from '../platform/config/env.schema';
import { createDealSyncService } from '../modules/deals/deal-sync.service';
import { createGuidanceService } from '../modules/guidance/guidance.service';
import { createHubSpotGateway } from '../platform/hubspot/hubspot-gateway';
import { createMetricsRegistry } from '../platform/observability/metrics.registry';
import { systemClock, type Clock } from '../platform/clock';
import { createLogger, type Logger } from '../platform/observability/logger';
import { createPlaybookService } from '../modules/playbooks/playbook.service';
import { createImpactPreviewService } from '../modules/playbooks/impact-preview.service';
import { createManagerAccess } from '../modules/access/manager-access.service';
import { createPlaybookPublishingService } from '../modules/playbooks/playbook-publishing.service';
import { createPortalRegistry, type Installation } from '../modules/portals/portal-registry';
import { discoverStaticInstallation } from '../modules/portals/static-installation';
import { createInboxProcessor } from '../modules/intake/inbox-processor';
import { createStallSweepService } from '../modules/reminders/stall-sweep.service';
import { startBackgroundWorkers, type BackgroundWorkers } from './schedule';
import { createStore } from '../platform/db';
import { createDrainableServer } from '../platform/http/drainable-server';
import { createDealAuditService } from '../modules/audit/deal-audit.service';
import { createDealActionService } from '../modules/checklist/deal-action.service';
import {
  createDealWritebackService,
  WRITEBACK_FLUSH_INTERVAL_MS,
} from '../modules/writeback/deal-writeback.service';

/**
 * The one composition root: everything the service, the CLI and the demo run on is built here.
 * Tests build the same graph with their own clock, database and local HubSpot.
 */
export interface ServiceOverrides {
  clock?: Clock;
  logger?: Logger;
  /** Installations to use instead of discovering the static token's portal (tests with several portals). */
  installations?: Installation[];
  /** Per-attempt HubSpot timeout and retry shape; tests shrink them. */
  hubspot?: { timeoutMs?: number; maxAttempts?: number; sleep?: (ms: number) => Promise<void> };
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
  if (installations.length === 0) logger.warn('no HubSpot installation: set HUBSPOT_ACCESS_TOKEN');
  const portals = await createPortalRegistry(store, installations, clock.now());
  const hubspot = createHubSpotGateway({
    basePath: config.hubspotApiBaseUrl,
    tokenForPortal: (portalId) => portals.tokenForPortal(portalId),
    metrics,
    ...overrides.hubspot,
  });
  const playbooks = createPlaybookService(store);
  for (const portalId of portals.installedPortalIds()) await playbooks.ensureSeeded(portalId, clock.now());
  const playbookPublishing = createPlaybookPublishingService({ store, hubspot, playbooks });
  const managerAccess = createManagerAccess({ hubspot, managerUserIds: config.managerUserIds, clock });
  const impactPreview = createImpactPreviewService({ store, hubspot, portals });
  const dealSync = createDealSyncService({ store, hubspot, playbooks });
  const guidance = createGuidanceService({ store, hubspot, portals, playbooks, dealSync });
  const writeback = createDealWritebackService({ store, hubspot, guidance, portals, metrics, logger });
  const dealActions = createDealActionService({ store, guidance, playbooks, writeback, logger });
  const audit = createDealAuditService({ store, guidance });
  const reminders = createStallSweepService({
    store,
    hubspot,
    playbooks,
    portals,
    logger,
    metrics,
    managerOwnerId: config.managerOwnerId,
  });
  const inbox = createInboxProcessor({
    store,
    dealSync,
    portals,
    metrics,
    logger,
    onDealsChanged: (portalId, dealIds, now) =>
      runEachHook([
        // A deal that entered another stage no longer needs the reminder tasks of the stage it left.
        () => reminders.completeRemindersOfMovedDeals(portalId, dealIds, now),
        // Its SOP properties in HubSpot follow its new stage and data: marked here, written by the
        // periodic flush, so draining the inbox never waits for HubSpot writes.
        () => writeback.markDealsChanged(portalId, dealIds, now),
      ]),
  });
  return {
    config,
    clock,
    logger,
    metrics,
    store,
    hubspot,
    portals,
    playbooks,
    playbookPublishing,
    managerAccess,
    impactPreview,
    dealSync,
    guidance,
    inbox,
    reminders,
    writeback,
    dealActions,
    audit,
  };
}

/** Runs every hook even when one fails (one concern's trouble never skips another's), then reports the first failure. */
async function runEachHook(hooks: Array<() => Promise<unknown>>): Promise<void> {
  const outcomes = await Promise.allSettled(hooks.map((hook) => hook()));
  const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Three days: well past HubSpot's retry window of about a day. */
export const INBOX_RETENTION_MS = 3 * 24 * 60 * 60 * 1000;
const INBOX_RETENTION_SWEEP_MS = 60 * 60 * 1000;

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

/** Starts the HTTP server and the background workers (inbox drain, periodic sweep). */
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
    periodic: [
      {
        name: 'stall-sweep',
        // SWEEP_INTERVAL_SECONDS=0 turns the timer off (the CLI's `sweep` still runs one by hand).
        intervalMs: config.sweepIntervalSeconds * 1000,
        run: async () => {
          await services.reminders.sweep({ now: services.clock.now() });
        },
      },
      {
        // Done events are kept past HubSpot's retry window (about a day): their keys catch late redeliveries.
        name: 'inbox-retention',
        intervalMs: INBOX_RETENTION_SWEEP_MS,
        run: async () => {
          await services.store.inbox.deleteDoneInboxEvents(
            new Date(services.clock.now().getTime() - INBOX_RETENTION_MS),
          );
        },
      },
      {
        // Deals marked by inbox batches and action toggles (neither waits for HubSpot) reach it within seconds.
        name: 'sop-writeback',
        intervalMs: WRITEBACK_FLUSH_INTERVAL_MS,
        run: async () => {
          await services.writeback.flush(services.clock.now());
        },
      },
    ],
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
