import type { ParsedArgs } from './cli-args';

/** Where a command writes, and the environment it reads (the same as the service's). */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /**
   * Set when stderr is a terminal: replaces the line last written this way (progress redrawn in place);
   * an empty text clears it and ends the line.
   */
  redrawErr?: (text: string) => void;
  env: Record<string, string | undefined>;
}

/**
 * Opens the service graph for a command's work and closes it however the work ends. `now` fixes the
 * clock (a sweep as of another time). The CLI runner provides it, so a command needs nothing of the
 * composition root.
 */
export type OpenServices<Services> = <T>(
  work: (services: Services) => Promise<T>,
  options?: { now?: Date | null },
) => Promise<T>;

/** One `sop-guide <name>` command, declared by the module it belongs to. */
export interface CliCommand<Services = object> {
  name: string;
  usage: string;
  summary: string;
  flags: Record<string, 'boolean' | 'string'>;
  run(args: ParsedArgs, io: CliIo, openServices: OpenServices<Services>): Promise<number>;
}
