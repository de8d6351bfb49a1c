import { readPlaybookFile, type PlaybookFileResult } from './playbook-file.util';
import type { ParsedArgs } from '../../platform/cli/cli-args';
import type { CliCommand, CliIo } from '../../platform/cli/cli-command';

/** Prints each error as `path: message`, the same wording the API's 400 uses. */
function reportPlaybookErrors(result: Extract<PlaybookFileResult, { ok: false }>, io: CliIo): void {
  io.err(`${result.fileName}: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}`);
  for (const error of result.errors) io.err(`  ${error.path || '(document)'}: ${error.message}`);
}

/**
 * The command's one `<file>` argument, read and validated as the server would; null, once the user has
 * been told why (usage or each error), when there is nothing to use.
 */
export async function readPlaybookArgument(
  args: ParsedArgs,
  io: CliIo,
  usage: string,
): Promise<Extract<PlaybookFileResult, { ok: true }> | null> {
  const [file, ...extra] = args.positionals;
  if (!file || extra.length > 0) {
    io.err(`Usage: ${usage}`);
    return null;
  }
  const result = await readPlaybookFile(file);
  if (result.ok) return result;
  reportPlaybookErrors(result, io);
  return null;
}

/** Offline: checks a playbook file as the server would, with no database, HubSpot or environment. */
export const validateCommand: CliCommand = {
  name: 'validate',
  usage: 'sop-guide validate <file>',
  summary: 'check a playbook file (YAML or JSON) and print each error with its path',
  flags: {},
  async run(args, io) {
    const result = await readPlaybookArgument(args, io, validateCommand.usage);
    if (result === null) return 1;
    const { playbook } = result;
    const stages = Object.values(playbook.pipelines).reduce(
      (count, pipeline) => count + Object.keys(pipeline.stages).length,
      0,
    );
    io.out(
      `${result.fileName}: valid playbook "${playbook.name}" with ${playbook.steps.length} steps and ${stages} mapped stages`,
    );
    return 0;
  },
};
