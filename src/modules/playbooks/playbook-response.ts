import type { PublishedPlaybook, PlaybookVersionSummary } from './playbook.service';

/** What the API says about a version besides its document. */
export function describeVersionMeta(version: PlaybookVersionSummary) {
  return {
    version: version.version,
    // Null for versions the app wrote itself (the default playbook at install, a CLI import).
    author: version.authorUserId === null ? null : { userId: version.authorUserId },
    createdAt: version.createdAt.toISOString(),
    note: version.note,
  };
}

/** The document with its server-assigned `version` (DESIGN.md §3) and who saved it when. */
export function toPlaybookBody(published: PublishedPlaybook) {
  return { ...published.playbook, ...describeVersionMeta(published) };
}
