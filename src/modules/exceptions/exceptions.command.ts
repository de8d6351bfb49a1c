import { AppError } from '../../platform/errors/app-error';
import { parseIsoFlag, stringFlag } from '../../platform/cli/cli-args';
import type { CliCommand } from '../../platform/cli/cli-command';
import type { Store } from '../../platform/db';
import { EXCEPTION_STATUSES, type ExceptionStatus } from './exception.repository';
import { formatExceptionCsvHeader, formatExceptionCsvRow } from './exception-csv.util';

const PAGE_SIZE = 500;

/**
 * `sop-guide exceptions [--portal <id>] [--since <date>] [--status <status>]`: a portal's exceptions as
 * CSV on stdout, newest move first. The portal defaults to the one installation (static auth).
 */
export const exceptionsCommand: CliCommand<{
  store: Store;
  installations: ReadonlyArray<{ portalId: number }>;
}> = {
  name: 'exceptions',
  usage: 'sop-guide exceptions [--portal <id>] [--since <date>] [--status <status>]',
  summary: 'export the deals that moved on with their SOP unmet (exceptions) as CSV',
  flags: { portal: 'string', since: 'string', status: 'string' },
  async run(args, io, openServices) {
    const portal = stringFlag(args, 'portal');
    if (portal !== null && (!/^\d+$/.test(portal) || Number(portal) <= 0)) {
      throw new AppError('BAD_REQUEST', '--portal: expected a HubSpot portal id (digits)');
    }
    const status = stringFlag(args, 'status');
    if (status !== null && !(EXCEPTION_STATUSES as readonly string[]).includes(status)) {
      throw new AppError('BAD_REQUEST', `--status: expected one of ${EXCEPTION_STATUSES.join(', ')}`);
    }
    const since = parseIsoFlag(args, 'since');
    return openServices(async (services) => {
      const portalId = portal !== null ? Number(portal) : services.installations[0]?.portalId;
      if (portalId === undefined || (portal === null && services.installations.length > 1)) {
        throw new AppError('BAD_REQUEST', '--portal: required when the service serves no or several portals');
      }
      io.out(formatExceptionCsvHeader());
      let after;
      for (;;) {
        const page = await services.store.exceptions.listExceptions(portalId, {
          ...(status !== null ? { status: status as ExceptionStatus } : {}),
          ...(since ? { since } : {}),
          ...(after ? { after } : {}),
          limit: PAGE_SIZE,
        });
        for (const exception of page) io.out(formatExceptionCsvRow(exception));
        const last = page[page.length - 1];
        if (page.length < PAGE_SIZE || !last) return 0;
        after = { movedAt: last.movedAt, id: last.id };
      }
    });
  },
};
