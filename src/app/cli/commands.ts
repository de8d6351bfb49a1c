import type { CliCommand } from '../../platform/cli/cli-command';
import { WIRED_MODULES, type Services } from '../services';

/** Every command of `sop-guide`, declared by the modules in registry order. */
export const COMMANDS: readonly CliCommand<Services>[] = WIRED_MODULES.flatMap(
  (module) => module.commands ?? [],
);
