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

/** Builds the service graph for a command; the caller closes the store. Logs go to stderr, quietly. */
export async function openServices(io: CliIo, options: { now?: Date | null } = {}): Promise<Services> {
  const config: Config = parseConfig({ LOG_LEVEL: 'warn', ...io.env });
  return createServices(config, {
    clock: options.now ? createFixedClock(options.now) : systemClock,
    logger: createLogger(config.logLevel, (line) => io.err(line)),
  });
}
