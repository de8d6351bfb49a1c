import type { CliCommand } from '../../platform/cli/cli-command';
import { WIRED_MODULES, type Services } from '../services';
import { signedRequestCommand } from './signed-request.command';

/**
 * Every command of `sop-guide`: the modules' in registry order, then the runner's own (`request`
 * needs no service graph: it signs one request to a running service).
 */
export const COMMANDS: readonly CliCommand<Services>[] = [
  ...WIRED_MODULES.flatMap((module) => module.commands ?? []),
  signedRequestCommand,
];
