import { isAppError, describeError } from '../../platform/errors/app-error';
import { ConfigError } from '../../platform/config/env.schema';
import { parseCliArgs } from '../../platform/cli/cli-args';
import type { CliIo } from '../../platform/cli/cli-command';
import { COMMANDS } from './commands';
import { openServicesFor } from './open-services';

/**
 * `npx sop-guide <command>`: the same environment as the service. Exit 0 on success, 1 with a clear
 * message otherwise (never a stack trace for an expected failure).
 */
export function usage(): string {
  const width = Math.max(...COMMANDS.map((command) => command.usage.length));
  return [
    'Usage: sop-guide <command> [options]',
    '',
    ...COMMANDS.map((command) => `  ${command.usage.padEnd(width)}  ${command.summary}`),
  ].join('\n');
}

/** Carriage return, then "erase the line": the cursor stays on the line, which the next redraw replaces. */
function redrawStderr(text: string): void {
  process.stderr.write(text === '' ? '\r\x1b[2K' : `\r\x1b[2K${text}`);
}

export async function runCli(
  argv: string[],
  io: CliIo = {
    out: (text) => process.stdout.write(text + '\n'),
    err: (text) => process.stderr.write(text + '\n'),
    ...(process.stderr.isTTY ? { redrawErr: redrawStderr } : {}),
    env: process.env,
  },
): Promise<number> {
  const name = argv[0];
  if (!name || name === '--help' || name === 'help') {
    io.out(usage());
    return name ? 0 : 1;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    io.err(`Unknown command "${name}".\n\n${usage()}`);
    return 1;
  }
  try {
    return await command.run(parseCliArgs(argv, command.flags), io, openServicesFor(io));
  } catch (error) {
    if (isAppError(error) || error instanceof ConfigError) {
      io.err(`sop-guide ${name}: ${error.message}`);
      return 1;
    }
    io.err(`sop-guide ${name} failed: ${describeError(error)}`);
    return 1;
  }
}
