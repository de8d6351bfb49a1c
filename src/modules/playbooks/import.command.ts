import type { Clock } from '../../platform/clock';
import type { PortalRegistry } from '../portals';
import type { PlaybookPublishingService } from './playbook-publishing.service';
import type { CliCommand } from '../../platform/cli/cli-command';
import { resolvePortal } from '../../platform/cli/resolve-portal';
import { stringFlag } from '../../platform/cli/cli-args';
import { readPlaybookArgument } from './validate.command';

/** Publishes a playbook file as the portal's next version, exactly as a manager's PUT would. */
export const importCommand: CliCommand<{
  portals: PortalRegistry;
  playbookPublishing: PlaybookPublishingService;
  clock: Clock;
}> = {
  name: 'import',
  usage: 'sop-guide import <file> [--note <text>] [--portal <id>] [--apply-to-deals-in-progress]',
  summary: 'publish a playbook file as a new version of the installed portal',
  flags: { note: 'string', portal: 'string', 'apply-to-deals-in-progress': 'boolean' },
  async run(args, io, openServices) {
    // Validate before opening anything: a typo should not need a database or HubSpot to be reported.
    const result = await readPlaybookArgument(args, io, importCommand.usage);
    if (result === null) return 1;
    return openServices(async (services) => {
      const portalId = resolvePortal(services.portals, args);
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
