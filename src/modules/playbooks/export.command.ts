import type { PortalRegistry } from '../portals';
import type { PlaybookService } from './playbook.service';
import { AppError } from '../../platform/errors/app-error';
import { formatPlaybookYaml } from './playbook-file.util';
import { stringFlag } from '../../platform/cli/cli-args';
import type { CliCommand } from '../../platform/cli/cli-command';
import { resolvePortal } from '../../platform/cli/resolve-portal';

/** Writes a portal's playbook as YAML on stdout, ready to edit and `import` again. */
export const exportCommand: CliCommand<{ portals: PortalRegistry; playbooks: PlaybookService }> = {
  name: 'export',
  usage: 'sop-guide export [--version <n>] [--portal <id>]',
  summary: "print the portal's playbook (current, or version n) as YAML",
  flags: { version: 'string', portal: 'string' },
  async run(args, io, openServices) {
    const versionFlag = stringFlag(args, 'version');
    if (versionFlag !== null && !/^[1-9]\d*$/.test(versionFlag)) {
      throw new AppError('BAD_REQUEST', `--version: expected a positive integer, got "${versionFlag}"`);
    }
    return openServices(async (services) => {
      const portalId = resolvePortal(services.portals, args);
      const version = versionFlag === null ? undefined : Number(versionFlag);
      const found = await services.playbooks.describeVersion(portalId, version);
      if (!found) {
        throw new AppError(
          'NOT_FOUND',
          version === undefined
            ? `Portal ${portalId} has no playbook yet`
            : `Portal ${portalId} has no playbook version ${version}`,
        );
      }
      io.out(formatPlaybookYaml(found.playbook, found.version).trimEnd());
      return 0;
    });
  },
};
