import { backfillCommand } from './backfill.command';
import type { CliCommand } from './cli-context';
import { sweepCommand } from './sweep.command';

/** Every command of `sop-guide`; each lives in its own `*.command.ts`. */
export const COMMANDS: readonly CliCommand[] = [backfillCommand, sweepCommand];
