import { AppError } from '../../platform/errors/app-error';
import { formatPlaybookYaml } from './playbook-file.util';
import { stringFlag } from '../../app/cli/cli-args';
import { resolvePortal, withServices, type CliCommand } from '../../app/cli/cli-context';

/** Writes a portal's playbook as YAML on stdout, ready to edit and `import` again. */
export const exportCommand: CliCommand = {
  name: 'export',
  usage: 'sop-guide export [--version <n>] [--portal <id>]',
  summary: "print the portal's playbook (current, or version n) as YAML",
  flags: { version: 'string', portal: 'string' },
  async run(args, io) {
    const versionFlag = stringFlag(args, 'version');
    if (versionFlag !== null && !/^[1-9]\d*$/.test(versionFlag)) {
      throw new AppError('BAD_REQUEST', `--version: expected a positive integer, got "${versionFlag}"`);
    }
    return withServices(io, async (services) => {
      const portalId = resolvePortal(services, args);
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
