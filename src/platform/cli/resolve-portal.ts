import { AppError } from '../errors/app-error';
import { stringFlag, type ParsedArgs } from './cli-args';

/** The portal a command acts on: --portal, or the only installed one. */
export function resolvePortal(portals: { installedPortalIds(): number[] }, args: ParsedArgs): number {
  const installed = portals.installedPortalIds();
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
