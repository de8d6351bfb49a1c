import { startService } from '../app/compose';
import { ConfigError, parseConfig, type Config } from '../platform/config/env.schema';
import { describeError } from '../platform/errors/app-error';

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
  const running = await startService(config);
  const shutdown = (signal: string) => {
    running.services.logger.info('shutting down', { signal });
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`SOP Guide failed to start: ${describeError(error)}\n`);
  process.exit(1);
});
