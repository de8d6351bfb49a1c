import { auditCommand } from './audit.command';
import { backfillCommand } from './backfill.command';
import type { CliCommand } from './cli-context';
import { sweepCommand } from './sweep.command';
import { validateCommand } from './validate.command';
import { importCommand } from './import.command';
import { exportCommand } from './export.command';

/** Every command of `sop-guide`; each lives in its own `*.command.ts`. */
export const COMMANDS: readonly CliCommand[] = [
  backfillCommand,
  sweepCommand,
  validateCommand,
  importCommand,
  exportCommand,
  auditCommand,
];
