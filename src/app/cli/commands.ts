import { auditCommand } from '../../modules/audit/audit.command';
import { backfillCommand } from '../../modules/deals/backfill.command';
import type { CliCommand } from './cli-context';
import { sweepCommand } from '../../modules/reminders/sweep.command';
import { validateCommand } from '../../modules/playbooks/validate.command';
import { importCommand } from '../../modules/playbooks/import.command';
import { exportCommand } from '../../modules/playbooks/export.command';
import { refusedEventsCommand } from '../../modules/intake/refused-events.command';
import { signedRequestCommand } from './signed-request.command';

/** Every command of `sop-guide`; each lives in its own `*.command.ts`. */
export const COMMANDS: readonly CliCommand[] = [
  backfillCommand,
  sweepCommand,
  validateCommand,
  importCommand,
  exportCommand,
  auditCommand,
  refusedEventsCommand,
  signedRequestCommand,
];
