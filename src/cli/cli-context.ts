import { parseConfig, type Config } from '../config/env.schema';
import type { Services } from '../app/services';
import type { ParsedArgs } from './cli-args';
import { createServices } from '../main';
import { createFixedClock, systemClock } from '../platform/clock';
import { createLogger } from '../platform/logger';

/** What a command gets: its arguments, where to write, and (lazily) the same services as the server. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
}

export interface CliCommand {
  name: string;
  usage: string;
  summary: string;
  flags: Record<string, 'boolean' | 'string'>;
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/**
 * Runs a command's work on the same service graph as the server, and closes the store however the work
 * ends. Logs go to stderr, quietly; `now` fixes the clock (a sweep as of another time).
 */
export async function withServices<T>(
  io: CliIo,
  work: (services: Services) => Promise<T>,
  options: { now?: Date | null } = {},
): Promise<T> {
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
}
