import type { Services } from '../app/services';
import { AppError } from '../errors/app-error';
import { readPlaybookFile } from '../playbooks/playbook-file.util';
import { withServices, type CliCommand } from './cli-context';
import { stringFlag, type ParsedArgs } from './cli-args';
import { reportPlaybookErrors } from './validate.command';

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

/** Publishes a playbook file as the portal's next version, exactly as a manager's PUT would. */
export const importCommand: CliCommand = {
  name: 'import',
  usage: 'sop-guide import <file> [--note <text>] [--portal <id>] [--apply-to-deals-in-progress]',
  summary: 'publish a playbook file as a new version of the installed portal',
  flags: { note: 'string', portal: 'string', 'apply-to-deals-in-progress': 'boolean' },
  async run(args, io) {
    const [file, ...extra] = args.positionals;
    if (!file || extra.length > 0) {
      io.err(`Usage: ${importCommand.usage}`);
      return 1;
    }
    // Validate before opening anything: a typo should not need a database or HubSpot to be reported.
    const result = await readPlaybookFile(file);
    if (!result.ok) {
      reportPlaybookErrors(result, io);
      return 1;
    }
    return withServices(io, async (services) => {
      const portalId = resolvePortal(services, args);
      const { published, warnings, dealsRepinned } = await services.playbookPublishing.publish(
        portalId,
        result.playbook,
        {
          authorUserId: null,
          note: stringFlag(args, 'note') ?? `Imported from ${result.fileName}`,
          applyToDealsInProgress: args.flags['apply-to-deals-in-progress'] === true,
          now: services.clock.now(),
        },
      );
      for (const warning of warnings) io.err(`warning: ${warning.path}: ${warning.message}`);
      io.out(
        `portal ${portalId}: published "${published.playbook.name}" as version ${published.version}` +
          (args.flags['apply-to-deals-in-progress'] === true ? ` (${dealsRepinned} deals re-pinned)` : ''),
      );
      return 0;
    });
  },
};
