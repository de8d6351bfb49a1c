import type { PublishedVersion } from '../../domain';
import { AppError } from '../../platform/errors/app-error';
import type { PlaybookVersionsTable } from '../../platform/db/database.types';
import { toEpochMs, type StoreContext } from '../../platform/db/store-context';

/** Concurrent saves of one portal are rare (a few managers); a handful of retries always settles them. */
const SAVE_PLAYBOOK_MAX_ATTEMPTS = 10;

export interface PlaybookVersion {
  portalId: number;
  version: number;
  /** The document as it was saved; callers validated it before saving and may re-parse it with their schema. */
  document: unknown;
  authorUserId: string | null;
  note: string | null;
  createdAt: Date;
}

export interface SavePlaybookOptions {
  authorUserId?: string | null;
  note?: string | null;
  now?: Date;
  /** Published with "apply to deals in progress": pinning counts it for deals already in their stage. */
  repinsDealsInProgress?: boolean;
}

export interface PlaybookRepository {
  /** Saves a new version; the store assigns the next number (1 for a portal's first playbook). */
  savePlaybookVersion(
    portalId: number,
    document: unknown,
    options?: SavePlaybookOptions,
  ): Promise<PlaybookVersion>;
  /** The highest version, or null when the portal never saved one (callers fall back to the default playbook). */
  getCurrentPlaybook(portalId: number): Promise<PlaybookVersion | null>;
  /** Only the current version number (0 when none): the hot path needs no document it already has parsed. */
  getCurrentVersionNumber(portalId: number): Promise<number>;
  getPlaybookVersion(portalId: number, version: number): Promise<PlaybookVersion | null>;
  /** Newest first. */
  listPlaybookVersions(portalId: number): Promise<PlaybookVersion[]>;
  /** Every version's number and publish time, without the documents: what pinning a deal needs. */
  listPublishTimes(portalId: number): Promise<PublishedVersion[]>;
}

function toPlaybookVersion(row: PlaybookVersionsTable): PlaybookVersion {
  return {
    portalId: row.portal_id,
    version: row.version,
    document: JSON.parse(row.document) as unknown,
    authorUserId: row.author_user_id,
    note: row.note,
    createdAt: new Date(row.created_at),
  };
}

export function createPlaybookRepository(ctx: StoreContext): PlaybookRepository {
  const { db } = ctx;
  return {
    async savePlaybookVersion(portalId, document, options = {}) {
      const serialized = JSON.stringify(document);
      for (let attempt = 1; ; attempt += 1) {
        const latest = await db
          .selectFrom('playbook_versions')
          .select((eb) => eb.fn.max('version').as('max_version'))
          .where('portal_id', '=', portalId)
          .executeTakeFirst();
        const row: PlaybookVersionsTable = {
          portal_id: portalId,
          version: Number(latest?.max_version ?? 0) + 1,
          document: serialized,
          author_user_id: options.authorUserId ?? null,
          note: options.note ?? null,
          created_at: toEpochMs(options.now ?? new Date()),
          repins_deals_in_progress: options.repinsDealsInProgress ? 1 : 0,
        };
        // The (portal_id, version) primary key decides between concurrent savers: the loser re-reads. No
        // exception on a conflict, so a save inside a larger transaction (publish + re-pin) survives one:
        // a failed statement would abort a PostgreSQL transaction.
        const inserted = await db
          .insertInto('playbook_versions')
          .values(row)
          .onConflict((oc) => oc.columns(['portal_id', 'version']).doNothing())
          .returning('version')
          .executeTakeFirst();
        if (inserted) return toPlaybookVersion(row);
        if (attempt >= SAVE_PLAYBOOK_MAX_ATTEMPTS) {
          throw new AppError(
            'CONFLICT',
            `Another save of portal ${portalId}'s playbook kept winning; try again`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    },

    async getCurrentPlaybook(portalId) {
      const row = await db
        .selectFrom('playbook_versions')
        .selectAll()
        .where('portal_id', '=', portalId)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? toPlaybookVersion(row) : null;
    },

    async getCurrentVersionNumber(portalId) {
      const row = await db
        .selectFrom('playbook_versions')
        .select((eb) => eb.fn.max('version').as('version'))
        .where('portal_id', '=', portalId)
        .executeTakeFirst();
      return Number(row?.version ?? 0);
    },

    async getPlaybookVersion(portalId, version) {
      const row = await db
        .selectFrom('playbook_versions')
        .selectAll()
        .where('portal_id', '=', portalId)
        .where('version', '=', version)
        .executeTakeFirst();
      return row ? toPlaybookVersion(row) : null;
    },

    async listPlaybookVersions(portalId) {
      const rows = await db
        .selectFrom('playbook_versions')
        .selectAll()
        .where('portal_id', '=', portalId)
        .orderBy('version', 'desc')
        .execute();
      return rows.map(toPlaybookVersion);
    },

    async listPublishTimes(portalId) {
      const rows = await db
        .selectFrom('playbook_versions')
        .select(['version', 'created_at', 'repins_deals_in_progress'])
        .where('portal_id', '=', portalId)
        .orderBy('version')
        .execute();
      return rows.map((row) => ({
        version: row.version,
        publishedAt: new Date(row.created_at),
        repinsDealsInProgress: row.repins_deals_in_progress === 1,
      }));
    },
  };
}
