import { describeError } from '../../platform/errors/app-error';
import { evaluateDealGuidance, listPropertiesReadByPlaybook, type Playbook } from '../../domain';
import { loadEvaluationContext, withBusinessCalendar } from '../guidance';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { PortalRegistry } from '../portals';
import type { Store } from '../../platform/db';
import {
  classifyDealImpact,
  createImpactTally,
  type ImpactBucket,
  type PreviewPipeline,
  type StageImpact,
} from './impact-preview.util';
import type { PlaybookWarning } from './pipeline-warnings.util';

/** Deals read from the projection per query; the preview holds no more than this many at once. */
const PREVIEW_PAGE_SIZE = 200;
/** "Entered its stage before the end of time": every live deal. */
const END_OF_TIME = new Date(8_640_000_000_000_000);

export interface ImpactPreview {
  evaluatedAt: string;
  totals: Record<ImpactBucket | 'openDeals', number>;
  stages: StageImpact[];
  /**
   * Properties the candidate's checks read that the projection does not hold yet for some deals: those
   * checks count as failing in the preview, and the deals are read with them once the playbook is live.
   */
  unreadProperties: string[];
  warnings: PlaybookWarning[];
}

/**
 * "What would this playbook do to my pipeline?" answered from the local projection with the domain's
 * own evaluation: one pipelines read (cached) and no HubSpot call per deal.
 */
export interface ImpactPreviewService {
  preview(portalId: number, candidate: Playbook, now: Date): Promise<ImpactPreview>;
}

export function createImpactPreviewService(deps: {
  store: Store;
  hubspot: Pick<HubSpotApis, 'pipelines'>;
  portals: Pick<PortalRegistry, 'timeZoneOf'>;
}): ImpactPreviewService {
  const { store, hubspot, portals } = deps;

  return {
    async preview(portalId, candidate, now) {
      const warnings: PlaybookWarning[] = [];
      let pipelines: PreviewPipeline[] = [];
      try {
        pipelines = await hubspot.pipelines.getAll(portalId);
      } catch (error) {
        warnings.push({
          path: 'pipelines',
          message: `HubSpot's pipelines could not be read, so closed deals are counted too: ${describeError(error)}`,
        });
      }
      const tally = createImpactTally(candidate, pipelines);
      // Version 0: a candidate is no saved version yet.
      const judging = withBusinessCalendar(portals, portalId, { version: 0, playbook: candidate });
      const readProperties = listPropertiesReadByPlaybook(candidate);
      const unread = new Set<string>();

      for (let afterDealId: string | undefined; ;) {
        const page = await store.deals.listDealsEnteredStageBefore(portalId, END_OF_TIME, {
          limit: PREVIEW_PAGE_SIZE,
          ...(afterDealId === undefined ? {} : { afterDealId }),
        });
        const open = page.filter((deal) => tally.isOpen(deal.pipelineId, deal.stageId));
        const evaluated = await Promise.all(
          open.map(async (deal) => {
            const context = await loadEvaluationContext({ store, portals }, deal, now, judging);
            const guidance = evaluateDealGuidance({
              deal,
              playbook: context.playbook,
              playbookVersion: context.version,
              stageLabel: null,
              actionStates: context.actionStates,
              now,
              calendar: context.calendar,
              snoozedUntil: context.snoozedUntil,
            });
            return { deal, bucket: classifyDealImpact(guidance) };
          }),
        );
        for (const { deal, bucket } of evaluated) {
          tally.add(deal.pipelineId, deal.stageId, deal.dealId, bucket);
          for (const name of readProperties) if (!(name in deal.properties)) unread.add(name);
        }
        const last = page.at(-1);
        if (!last || page.length < PREVIEW_PAGE_SIZE) break;
        afterDealId = last.dealId;
      }

      return {
        evaluatedAt: now.toISOString(),
        ...tally.summarize(),
        unreadProperties: [...unread].sort(),
        warnings,
      };
    },
  };
}
