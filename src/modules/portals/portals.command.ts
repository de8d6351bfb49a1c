import type { Clock } from '../../platform/clock';
import { formatTable, stringFlag, type ParsedArgs } from '../../platform/cli/cli-args';
import type { CliCommand } from '../../platform/cli/cli-command';
import type { Config } from '../../platform/config/env.schema';
import type { Store } from '../../platform/db';
import { AppError } from '../../platform/errors/app-error';
import { createTokenCipher } from './token-cipher';

/**
 * `sop-guide portals list|purge|rotate-key`: the installations an operator manages (DESIGN.md §7).
 * Nothing here prints a token: `list` shows who and when, `rotate-key` only counts what it re-sealed.
 */
type PortalsServices = { store: Store; config: Config; clock: Clock };

const iso = (at: Date | null) => (at ? at.toISOString() : '-');

function portalFlag(args: ParsedArgs): number {
  const value = stringFlag(args, 'portal');
  if (value === null || !/^\d+$/.test(value))
    throw new AppError('BAD_REQUEST', '--portal: expected the numeric HubSpot portal id to purge');
  return Number(value);
}

export const portalsCommand: CliCommand<PortalsServices> = {
  name: 'portals',
  usage: 'sop-guide portals list | purge --portal <id> | rotate-key',
  summary:
    'list installed (and uninstalled, not yet purged) portals; delete every row of one; re-encrypt tokens with TOKEN_ENCRYPTION_KEY',
  flags: { portal: 'string' },
  run(args, io, openServices) {
    const action = args.positionals[0];
    if (action === 'list') {
      return openServices(async ({ store }) => {
        const rows = (await store.installations.listPortals()).map((portal) => [
          String(portal.portalId),
          portal.mode,
          portal.status,
          iso(portal.installedAt),
          iso(portal.lastEventAt),
        ]);
        io.out(
          rows.length === 0
            ? 'No portals.'
            : formatTable(['portal', 'mode', 'status', 'installed at', 'last event'], rows),
        );
        return 0;
      });
    }
    if (action === 'purge') {
      const portalId = portalFlag(args);
      return openServices(async ({ store }) => {
        const deleted = await store.installations.purgePortal(portalId);
        const touched = Object.entries(deleted).filter(([, count]) => count > 0);
        const total = touched.reduce((sum, [, count]) => sum + count, 0);
        io.out(
          total === 0
            ? `Portal ${portalId}: nothing stored, nothing deleted.`
            : `Portal ${portalId}: deleted ${total} row(s) in one transaction:\n` +
                formatTable(
                  ['table', 'rows'],
                  touched.map(([table, count]) => [table, String(count)]),
                ),
        );
        return 0;
      });
    }
    if (action === 'rotate-key') {
      return openServices(async ({ store, config }) => {
        if (!config.oauth)
          throw new AppError(
            'BAD_REQUEST',
            'rotate-key needs OAuth mode (HUBSPOT_CLIENT_ID and TOKEN_ENCRYPTION_KEY)',
          );
        const cipher = createTokenCipher(config.oauth.encryptionKey, config.oauth.previousEncryptionKey);
        let resealed = 0;
        for (const row of await store.installations.listSealedTokens()) {
          if (
            !cipher.isStale(row.refreshToken) &&
            (row.accessToken === null || !cipher.isStale(row.accessToken))
          )
            continue;
          await store.installations.replaceSealedTokens(row.portalId, row, {
            refreshToken: cipher.seal(cipher.open(row.refreshToken)),
            accessToken: row.accessToken === null ? null : cipher.seal(cipher.open(row.accessToken)),
          });
          resealed += 1;
        }
        io.out(
          `Re-encrypted the tokens of ${resealed} installation(s) with TOKEN_ENCRYPTION_KEY; ` +
            'TOKEN_ENCRYPTION_KEY_PREVIOUS can now be removed.',
        );
        return 0;
      });
    }
    throw new AppError('BAD_REQUEST', `portals: expected list, purge or rotate-key, got "${action ?? ''}"`);
  },
};
