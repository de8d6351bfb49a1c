import { parseConfig, type Config } from '../../platform/config/env.schema';
import type { Services } from '../services';
import { AppError } from '../../platform/errors/app-error';
import { stringFlag, type ParsedArgs } from './cli-args';
import { createServices } from '../compose';
import { createFixedClock, systemClock } from '../../platform/clock';
import { createLogger } from '../../platform/observability/logger';

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

/** The portal a command acts on: --portal, or the only installed one. */
export function resolvePortal(services: Services, args: ParsedArgs): number {
  const installed = services.portals.installedPortalIds();
  const flag = stringFlag(args, 'portal');
  if (flag !== null) {
    const portalId = Number(flag);
    if (!Number.isInteger(portalId) || !installed.includes(portalId)) {
      throw new AppError(
        'BAD_REQUEST',
        `--portal: SOP Guide is not installed in portal ${flag} (installed: ${installed.join(', ') || 'none'})`,
      );
    }
    return portalId;
  }
  const [only, ...others] = installed;
  if (only === undefined) {
    throw new AppError('BAD_REQUEST', 'No installed portal: set HUBSPOT_ACCESS_TOKEN');
  }
  if (others.length > 0) {
    throw new AppError(
      'BAD_REQUEST',
      `Several portals are installed (${installed.join(', ')}): pass --portal`,
    );
  }
  return only;
}
