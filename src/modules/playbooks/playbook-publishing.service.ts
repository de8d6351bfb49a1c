import { parsePlaybook, type Playbook } from '../../domain';
import { AppError, describeError } from '../../platform/errors/app-error';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { Store } from '../../platform/db';
import { createDealRepository } from '../deals';
import { createPlaybookRepository } from './playbook.repository';
import type { PlaybookService, PublishedPlaybook } from './playbook.service';
import {
  describePlaybookErrors,
  listUnknownPipelineStages,
  type PlaybookWarning,
} from './pipeline-warnings.util';

export interface PublishRequest {
  authorUserId: string | null;
  note: string | null;
  /** Re-pin every live deal to the new version instead of letting deals keep the one they entered with. */
  applyToDealsInProgress: boolean;
  now: Date;
}

export interface PublishResult {
  published: PublishedPlaybook;
  warnings: PlaybookWarning[];
  /** Deals re-pinned to the new version; 0 unless applyToDealsInProgress. */
  dealsRepinned: number;
}

/**
 * Managers' writes to a portal's playbook. Every save is a new version; nothing is edited in place, so
 * a deal keeps being judged by the version in force when it entered its stage, and a rollback is just
 * the old document published again.
 */
export interface PlaybookPublishingService {
  /** Parses a candidate document; INVALID_PLAYBOOK naming each bad path otherwise. */
  validate(document: unknown): Playbook;
  /** Stage and pipeline ids the portal's HubSpot does not have (a HubSpot failure is itself a warning). */
  listWarnings(portalId: number, playbook: Playbook): Promise<PlaybookWarning[]>;
  publish(portalId: number, document: unknown, request: PublishRequest): Promise<PublishResult>;
  /** Publishes version `version` anew; NOT_FOUND when the portal has no such version. */
  restore(portalId: number, version: number, request: PublishRequest): Promise<PublishResult>;
}

export function createPlaybookPublishingService(deps: {
  store: Store;
  hubspot: Pick<HubSpotApis, 'pipelines'>;
  playbooks: PlaybookService;
}): PlaybookPublishingService {
  const { store, hubspot, playbooks } = deps;

  const validate = (document: unknown): Playbook => {
    const parsed = parsePlaybook(document);
    if (parsed.ok) return parsed.playbook;
    throw new AppError('INVALID_PLAYBOOK', `Invalid playbook: ${describePlaybookErrors(parsed.errors)}`, {
      errors: parsed.errors,
    });
  };

  const listWarnings = async (portalId: number, playbook: Playbook): Promise<PlaybookWarning[]> => {
    try {
      return listUnknownPipelineStages(playbook, await hubspot.pipelines.getAll(portalId));
    } catch (error) {
      // The document is valid on its own; HubSpot being unreachable must not block a manager's fix.
      return [
        {
          path: 'pipelines',
          message: `Stage ids were not checked against HubSpot: ${describeError(error)}`,
        },
      ];
    }
  };

  const publishValid = async (
    portalId: number,
    playbook: Playbook,
    request: PublishRequest,
  ): Promise<PublishResult> => {
    const warnings = await listWarnings(portalId, playbook);
    // One transaction: a crash between the save and the re-pin must leave neither, or deals in progress
    // would stay on the old rules while the manager was told they moved.
    const { saved, dealsRepinned } = await store.runInTransaction(async (ctx) => {
      const tx = { playbooks: createPlaybookRepository(ctx), deals: createDealRepository(ctx) };
      const row = await tx.playbooks.savePlaybookVersion(portalId, playbook, {
        authorUserId: request.authorUserId,
        note: request.note,
        now: request.now,
        repinsDealsInProgress: request.applyToDealsInProgress,
      });
      const repinned = request.applyToDealsInProgress
        ? await tx.deals.repinLiveDeals(portalId, row.version, { now: request.now })
        : 0;
      return { saved: row, dealsRepinned: repinned };
    });
    const published = playbooks.describeSaved(saved);
    return { published, warnings, dealsRepinned };
  };

  return {
    validate,
    listWarnings,
    publish: (portalId, document, request) => publishValid(portalId, validate(document), request),
    async restore(portalId, version, request) {
      const old = await playbooks.describeVersion(portalId, version);
      if (!old) throw new AppError('NOT_FOUND', `This portal has no playbook version ${version}`);
      return publishValid(portalId, old.playbook, {
        ...request,
        note: request.note ?? `Restored version ${version}`,
      });
    },
  };
}
