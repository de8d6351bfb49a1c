import { startService, type RunningService } from '../app/compose';
import { ConfigError, parseConfig, type Config } from '../platform/config/env.schema';
import { describeError } from '../platform/errors/app-error';
import { createLogger } from '../platform/observability/logger';

/** `npm start`: the service for real use. Nothing imports this file; it only starts things. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = parseConfig(process.env, ['HUBSPOT_CLIENT_SECRET', 'PUBLIC_BASE_URL']);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let running: RunningService | null = null;
  let stopping = false;
  const stop = (service: RunningService) =>
    service.stop().then(
      (clean) => {
        logger.info('stopped', { clean });
        process.exit(clean ? 0 : 1);
      },
      (error: unknown) => {
        logger.error('shutdown failed', { error: describeError(error) });
        process.exit(1);
      },
    );
  // First signal: drain within SHUTDOWN_TIMEOUT_SECONDS, exit 0 if nothing was cut (1 if something was).
  // A second one (an impatient operator, a supervisor escalating): exit at once, saying what is cut.
  // Listened to before start-up, so a signal while starting is a drain once started, not a sudden death.
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('second signal: exiting now', {
        signal,
        inFlightRequests: running?.inFlightRequests() ?? 0,
      });
      process.exit(1);
    }
    stopping = true;
    logger.info('shutting down', { signal, shutdownTimeoutMs: config.shutdownTimeoutMs });
    if (running) void stop(running);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  running = await startService(config, { logger });
  if (stopping) void stop(running);
}

main().catch((error: unknown) => {
  process.stderr.write(`SOP Guide failed to start: ${describeError(error)}\n`);
  process.exit(1);
});
