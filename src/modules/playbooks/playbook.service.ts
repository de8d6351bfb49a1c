import { DEFAULT_PLAYBOOK, parsePlaybook, type Playbook } from '../../domain';
import { AppError } from '../../platform/errors/app-error';
import type { Store } from '../../platform/db';
import type { PlaybookVersion } from './playbook.repository';

export interface VersionedPlaybook {
  version: number;
  playbook: Playbook;
}

/** A saved version with who saved it, when and why: what the API and the CLI show. */
export interface PublishedPlaybook extends VersionedPlaybook {
  authorUserId: string | null;
  note: string | null;
  createdAt: Date;
}

export type PlaybookVersionSummary = Omit<PublishedPlaybook, 'playbook'>;

/**
 * Reads a portal's playbooks. Saved versions never change, so parsed versions are cached forever (per
 * portal and version); only "which version is current" goes to the database each time.
 */
export interface PlaybookService {
  current(portalId: number): Promise<VersionedPlaybook>;
  atVersion(portalId: number, version: number): Promise<VersionedPlaybook | null>;
  /** The version a deal is judged by: the one pinned when it entered its stage, else the current one. */
  forPinnedVersion(portalId: number, pinnedVersion: number | null): Promise<VersionedPlaybook>;
  /** Gives a portal the default playbook as version 1 when it has none yet. */
  ensureSeeded(portalId: number, now: Date): Promise<VersionedPlaybook>;
  /** A version with its author and time; the current one when `version` is omitted. Null when none. */
  describeVersion(portalId: number, version?: number): Promise<PublishedPlaybook | null>;
  /** The current version; a portal installed since start-up gets its default playbook on first read. */
  describeCurrent(portalId: number, now: Date): Promise<PublishedPlaybook>;
  /** Newest first, without the documents. */
  listVersions(portalId: number): Promise<PlaybookVersionSummary[]>;
  /** A version just saved (through a transaction of the caller's), as the API shows it. */
  describeSaved(row: PlaybookVersion): PublishedPlaybook;
}

const MAX_CACHED_VERSIONS = 500;

export function createPlaybookService(store: Store): PlaybookService {
  const cache = new Map<string, VersionedPlaybook>();

  const remember = (portalId: number, version: number, document: unknown): VersionedPlaybook => {
    const key = `${portalId}:${version}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const parsed = parsePlaybook(document);
    // A stored version was validated when it was saved; failing here means the schema moved under it.
    if (!parsed.ok) {
      throw new AppError(
        'INTERNAL',
        `Stored playbook version ${version} of portal ${portalId} no longer validates`,
        {
          errors: parsed.errors,
        },
      );
    }
    if (cache.size >= MAX_CACHED_VERSIONS) cache.delete(cache.keys().next().value as string);
    const entry = { version, playbook: parsed.playbook };
    cache.set(key, entry);
    return entry;
  };

  const atVersion = async (portalId: number, version: number) => {
    const cached = cache.get(`${portalId}:${version}`);
    if (cached) return cached;
    const row = await store.playbooks.getPlaybookVersion(portalId, version);
    return row ? remember(portalId, row.version, row.document) : null;
  };

  const ensureSeeded = async (portalId: number, now: Date) => {
    const row = await store.playbooks.getCurrentPlaybook(portalId);
    if (row) return remember(portalId, row.version, row.document);
    const saved = await store.playbooks.savePlaybookVersion(portalId, DEFAULT_PLAYBOOK, {
      authorUserId: null,
      note: 'Default sales SOP, installed with the app',
      now,
    });
    return remember(portalId, saved.version, saved.document);
  };

  // Every card request asks for the current version: read its number, and the document only on a cache miss.
  const current = async (portalId: number): Promise<VersionedPlaybook> => {
    const version = await store.playbooks.getCurrentVersionNumber(portalId);
    if (version === 0) return { version: 0, playbook: DEFAULT_PLAYBOOK };
    return (await atVersion(portalId, version)) ?? { version: 0, playbook: DEFAULT_PLAYBOOK };
  };

  const describe = (row: PlaybookVersion): PublishedPlaybook => ({
    ...remember(row.portalId, row.version, row.document),
    authorUserId: row.authorUserId,
    note: row.note,
    createdAt: row.createdAt,
  });

  return {
    current,
    atVersion,
    ensureSeeded,
    async describeVersion(portalId, version) {
      const row =
        version === undefined
          ? await store.playbooks.getCurrentPlaybook(portalId)
          : await store.playbooks.getPlaybookVersion(portalId, version);
      return row ? describe(row) : null;
    },
    async describeCurrent(portalId, now) {
      const row = await store.playbooks.getCurrentPlaybook(portalId);
      if (row) return describe(row);
      await ensureSeeded(portalId, now);
      const seeded = await store.playbooks.getCurrentPlaybook(portalId);
      if (!seeded) throw new AppError('INTERNAL', `Portal ${portalId} has no playbook after seeding`);
      return describe(seeded);
    },
    async listVersions(portalId) {
      const rows = await store.playbooks.listPlaybookVersions(portalId);
      return rows.map((row) => ({
        version: row.version,
        authorUserId: row.authorUserId,
        note: row.note,
        createdAt: row.createdAt,
      }));
    },
    describeSaved: describe,
    forPinnedVersion: async (portalId, pinnedVersion) =>
      (pinnedVersion === null ? null : await atVersion(portalId, pinnedVersion)) ?? current(portalId),
  };
}
