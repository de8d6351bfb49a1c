import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.types';
import { notifyChannel } from '../../platform/db/notifications';
import { fromEpochMsOrNull, runWriteTransaction, type StoreContext } from '../../platform/db/store-context';
import type { StoreLifecycle } from '../../platform/module';

export type InstallationStatus = 'installed' | 'uninstalled';

/** An OAuth installation as stored: its tokens stay sealed (token-cipher.ts) until the token service opens them. */
export interface InstallationsTable {
  portal_id: number;
  status: InstallationStatus;
  /** Space-separated, as HubSpot lists them. */
  scopes: string;
  installed_by_user_id: number | null;
  installed_by_email: string | null;
  refresh_token: string;
  access_token: string | null;
  access_token_expires_at: number | null;
  installed_at: number;
  uninstalled_at: number | null;
  updated_at: number;
}

export interface OAuthStatesTable {
  state: string;
  expires_at: number;
}

export interface StoredInstallation {
  portalId: number;
  status: InstallationStatus;
  scopes: string[];
  installedBy: { userId: number | null; email: string | null };
  sealedRefreshToken: string;
  sealedAccessToken: string | null;
  accessTokenExpiresAt: Date | null;
  installedAt: Date;
  uninstalledAt: Date | null;
}

export interface SaveInstallationInput extends SealedTokens {
  portalId: number;
  scopes: string[];
  installedBy: { userId: number | null; email: string | null };
  timeZone: string;
  hubDomain: string | null;
  now: Date;
}

export interface SealedTokens {
  sealedRefreshToken: string;
  sealedAccessToken: string;
  accessTokenExpiresAt: Date;
  /** When HubSpot issued them. */
  issuedAt: Date;
}

export interface PortalSummary {
  portalId: number;
  mode: 'static' | 'oauth';
  status: InstallationStatus;
  installedAt: Date;
  uninstalledAt: Date | null;
  lastEventAt: Date | null;
}

export interface InstallationRepository {
  /** Install or reinstall (the same portal: tokens and installer replaced, the portal's data kept). */
  saveInstallation(input: SaveInstallationInput): Promise<void>;
  findInstallation(portalId: number): Promise<StoredInstallation | null>;
  /** The installed OAuth portals with their time zone: what the portal registry serves. */
  listInstalled(): Promise<Array<{ portalId: number; timeZone: string }>>;
  /**
   * Runs `work` with the portal's installation read under a lock that every instance honours (PostgreSQL:
   * the row, FOR UPDATE, until `work` ends), and stores the tokens it returns. On SQLite, which serves
   * one process, the caller's in-process single flight is the lock and the row is read and written
   * around the call (a SQLite write transaction would hold the one connection across a HubSpot call).
   */
  withInstallationLocked<T>(
    portalId: number,
    work: (installation: StoredInstallation | null) => Promise<{ tokens?: SealedTokens; value: T }>,
  ): Promise<T>;
  markUninstalled(portalId: number, now: Date): Promise<void>;
  /** Every portal the app knows (installed or not, until purged), for `portals list`. */
  listPortals(): Promise<PortalSummary[]>;
  /** Every stored token, sealed, for a key rotation. */
  listSealedTokens(): Promise<Array<{ portalId: number; refreshToken: string; accessToken: string | null }>>;
  /**
   * Re-sealed tokens replace `previous` only if the row still holds it: a refresh that stored new tokens
   * meanwhile (sealed with the current key already) wins.
   */
  replaceSealedTokens(
    portalId: number,
    previous: { refreshToken: string; accessToken: string | null },
    next: { refreshToken: string; accessToken: string | null },
  ): Promise<void>;
  saveState(state: string, expiresAt: Date): Promise<void>;
  /** Deletes the state and tells whether it existed and was still valid: a state works once. */
  consumeState(state: string, now: Date): Promise<boolean>;
  /**
   * Deletes every row of the portal in every table that has a portal_id, and its part of rows shared
   * with other portals (the modules' PortalPurge hooks), in one transaction; answers rows by table.
   */
  purgePortal(portalId: number): Promise<Record<string, number>>;
  /** The installed one among `portalIds`, read now: what another instance just installed is there. */
  findInstalled(portalIds: readonly number[]): Promise<Array<{ portalId: number; timeZone: string }>>;
  /**
   * Calls `onChange` whenever any instance installs, uninstalls or purges a portal (PostgreSQL
   * LISTEN/NOTIFY, heard within milliseconds of the commit), and once on every (re)connection. Nothing
   * on SQLite, which serves one process.
   */
  watchInstallations(onChange: () => void): Promise<void>;
}

/** The notification channel install, uninstall and purge announce themselves on. */
const INSTALLATIONS_CHANNEL = 'sop_guide_installations';

function toInstallation(row: InstallationsTable): StoredInstallation {
  return {
    portalId: row.portal_id,
    status: row.status,
    scopes: row.scopes.split(' ').filter((scope) => scope.length > 0),
    installedBy: { userId: row.installed_by_user_id, email: row.installed_by_email },
    sealedRefreshToken: row.refresh_token,
    sealedAccessToken: row.access_token,
    accessTokenExpiresAt: fromEpochMsOrNull(row.access_token_expires_at),
    installedAt: new Date(row.installed_at),
    uninstalledAt: fromEpochMsOrNull(row.uninstalled_at),
  };
}

/** The tables holding a portal's rows: every table with a portal_id column, whichever module owns it. */
async function tablesWithPortalId(ctx: StoreContext, db: Kysely<Database>): Promise<string[]> {
  if (ctx.dialect === 'postgres') {
    const { rows } = await sql<{ table_name: string }>`
      select table_name from information_schema.columns
      where table_schema = current_schema() and column_name = 'portal_id'
      order by table_name`.execute(db);
    return rows.map((row) => row.table_name);
  }
  const { rows } = await sql<{ name: string }>`
    select m.name as name from sqlite_master m join pragma_table_info(m.name) p
    where m.type = 'table' and p.name = 'portal_id' order by m.name`.execute(db);
  return rows.map((row) => row.name);
}

export function createInstallationRepository(
  ctx: StoreContext,
  lifecycle: StoreLifecycle,
): InstallationRepository {
  const { db } = ctx;
  const announce = (trx: Kysely<Database>) =>
    ctx.dialect === 'postgres' ? notifyChannel(trx, INSTALLATIONS_CHANNEL) : Promise.resolve();
  const installedWithTimeZone = () =>
    db
      .selectFrom('installations')
      .innerJoin('portals', 'portals.portal_id', 'installations.portal_id')
      .select(['installations.portal_id as portalId', 'portals.time_zone as timeZone'])
      .where('installations.status', '=', 'installed');

  const writeTokens = (executor: Kysely<Database>, portalId: number, tokens: SealedTokens) =>
    executor
      .updateTable('installations')
      .set({
        refresh_token: tokens.sealedRefreshToken,
        access_token: tokens.sealedAccessToken,
        access_token_expires_at: tokens.accessTokenExpiresAt.getTime(),
        updated_at: tokens.issuedAt.getTime(),
      })
      .where('portal_id', '=', portalId)
      .execute();

  return {
    async saveInstallation(input) {
      const now = input.now.getTime();
      await runWriteTransaction(ctx, async (trx) => {
        await trx
          .insertInto('portals')
          .values({
            portal_id: input.portalId,
            time_zone: input.timeZone,
            hub_domain: input.hubDomain,
            installed_at: now,
            uninstalled_at: null,
            updated_at: now,
          })
          .onConflict((oc) =>
            oc.column('portal_id').doUpdateSet({
              time_zone: input.timeZone,
              hub_domain: input.hubDomain,
              installed_at: now,
              uninstalled_at: null,
              updated_at: now,
            }),
          )
          .execute();
        const row: InstallationsTable = {
          portal_id: input.portalId,
          status: 'installed',
          scopes: input.scopes.join(' '),
          installed_by_user_id: input.installedBy.userId,
          installed_by_email: input.installedBy.email,
          refresh_token: input.sealedRefreshToken,
          access_token: input.sealedAccessToken,
          access_token_expires_at: input.accessTokenExpiresAt.getTime(),
          installed_at: now,
          uninstalled_at: null,
          updated_at: now,
        };
        const { portal_id: _portalId, ...update } = row;
        await trx
          .insertInto('installations')
          .values(row)
          .onConflict((oc) => oc.column('portal_id').doUpdateSet(update))
          .execute();
        await announce(trx);
      });
    },

    async findInstallation(portalId) {
      const row = await db
        .selectFrom('installations')
        .selectAll()
        .where('portal_id', '=', portalId)
        .executeTakeFirst();
      return row ? toInstallation(row) : null;
    },

    listInstalled: () => installedWithTimeZone().execute(),

    async findInstalled(portalIds) {
      if (portalIds.length === 0) return [];
      return installedWithTimeZone()
        .where('installations.portal_id', 'in', [...portalIds])
        .execute();
    },

    async watchInstallations(onChange) {
      if (!ctx.listen) return;
      const stop = await ctx.listen(INSTALLATIONS_CHANNEL, onChange);
      lifecycle.onClose(stop);
    },

    async withInstallationLocked(portalId, work) {
      if (ctx.dialect === 'sqlite') {
        const row = await db
          .selectFrom('installations')
          .selectAll()
          .where('portal_id', '=', portalId)
          .executeTakeFirst();
        const result = await work(row ? toInstallation(row) : null);
        if (result.tokens) await writeTokens(db, portalId, result.tokens);
        return result.value;
      }
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('installations')
          .selectAll()
          .where('portal_id', '=', portalId)
          .forUpdate()
          .executeTakeFirst();
        const result = await work(row ? toInstallation(row) : null);
        if (result.tokens) await writeTokens(trx, portalId, result.tokens);
        return result.value;
      });
    },

    async markUninstalled(portalId, now) {
      await runWriteTransaction(ctx, async (trx) => {
        await trx
          .updateTable('installations')
          .set({
            status: 'uninstalled',
            uninstalled_at: now.getTime(),
            access_token: null,
            updated_at: now.getTime(),
          })
          .where('portal_id', '=', portalId)
          .execute();
        await trx
          .updateTable('portals')
          .set({ uninstalled_at: now.getTime(), updated_at: now.getTime() })
          .where('portal_id', '=', portalId)
          .execute();
        await announce(trx);
      });
    },

    async listPortals() {
      const rows = await db
        .selectFrom('portals')
        .leftJoin('installations', 'installations.portal_id', 'portals.portal_id')
        .select((eb) => [
          'portals.portal_id as portalId',
          'portals.installed_at as installedAt',
          'portals.uninstalled_at as uninstalledAt',
          'installations.status as status',
          eb
            .selectFrom('webhook_inbox')
            .whereRef('webhook_inbox.portal_id', '=', 'portals.portal_id')
            .select((inner) => inner.fn.max('webhook_inbox.occurred_at').as('at'))
            .as('lastEventAt'),
        ])
        .orderBy('portals.portal_id')
        .execute();
      return rows.map((row) => ({
        portalId: row.portalId,
        mode: row.status === null ? ('static' as const) : ('oauth' as const),
        status: row.status ?? (row.uninstalledAt === null ? 'installed' : 'uninstalled'),
        installedAt: new Date(row.installedAt),
        uninstalledAt: fromEpochMsOrNull(row.uninstalledAt),
        lastEventAt: row.lastEventAt === null ? null : new Date(Number(row.lastEventAt)),
      }));
    },

    async listSealedTokens() {
      const rows = await db
        .selectFrom('installations')
        .select(['portal_id', 'refresh_token', 'access_token'])
        .orderBy('portal_id')
        .execute();
      return rows.map((row) => ({
        portalId: row.portal_id,
        refreshToken: row.refresh_token,
        accessToken: row.access_token,
      }));
    },

    async replaceSealedTokens(portalId, previous, next) {
      await db
        .updateTable('installations')
        .set({ refresh_token: next.refreshToken, access_token: next.accessToken })
        .where('portal_id', '=', portalId)
        .where('refresh_token', '=', previous.refreshToken)
        .where((eb) =>
          previous.accessToken === null
            ? eb('access_token', 'is', null)
            : eb('access_token', '=', previous.accessToken),
        )
        .execute();
    },

    async saveState(state, expiresAt) {
      await db.insertInto('oauth_states').values({ state, expires_at: expiresAt.getTime() }).execute();
    },

    async consumeState(state, now) {
      const consumed = await runWriteTransaction(ctx, async (trx) => {
        // Expired states of abandoned flows go with the next one that finishes.
        await trx.deleteFrom('oauth_states').where('expires_at', '<=', now.getTime()).execute();
        return trx
          .deleteFrom('oauth_states')
          .where('state', '=', state)
          .returning('state')
          .executeTakeFirst();
      });
      return consumed !== undefined;
    },

    async purgePortal(portalId) {
      return runWriteTransaction(ctx, async (trx) => {
        const deleted: Record<string, number> = {};
        // First what holds the portal's data among other portals' (the webhook journal): a journal
        // row moved into the inbox meanwhile is then found by its portal_id below.
        for (const purge of lifecycle.portalPurges()) {
          for (const [table, count] of Object.entries(
            await purge({ db: trx, dialect: ctx.dialect }, portalId),
          ))
            deleted[table] = (deleted[table] ?? 0) + count;
        }
        for (const table of await tablesWithPortalId(ctx, trx)) {
          const result = await sql`delete from ${sql.table(table)} where portal_id = ${portalId}`.execute(
            trx,
          );
          deleted[table] = (deleted[table] ?? 0) + Number(result.numAffectedRows ?? 0);
        }
        await announce(trx);
        return deleted;
      });
    },
  };
}
