import { createFixedClock, systemClock } from '../../platform/clock';
import type { CliIo, OpenServices } from '../../platform/cli/cli-command';
import { parseConfig, type Config } from '../../platform/config/env.schema';
import { createLogger } from '../../platform/observability/logger';
import { createServices } from '../compose';
import type { Services } from '../services';

/**
 * Runs a command's work on the same service graph as the server, and closes the store however the work
 * ends. Logs go to stderr, quietly; `now` fixes the clock (a sweep as of another time).
 */
export function openServicesFor(io: CliIo): OpenServices<Services> {
  return async (work, options = {}) => {
    const config: Config = parseConfig({ LOG_LEVEL: 'warn', ...io.env });
    const services = await createServices(config, {
      clock: options.now ? createFixedClock(options.now) : systemClock,
      logger: createLogger(config.logLevel, (line) => io.err(line)),
    });
    try {
      return await work(services);
    } finally {
      await services.store.close();
    }
  };
}
