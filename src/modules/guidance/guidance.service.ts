import { evaluateDealGuidance, listPropertiesReadByPlaybook, type DealGuidance } from '../../domain';
import type { DealSyncService } from '../deals';
import { AppError } from '../../platform/errors/app-error';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { PlaybookService } from '../playbooks';
import type { PortalRegistry } from '../portals';
import type { Store } from '../../platform/db';
import type { DealRecord } from '../deals';
import { loadEvaluationContext } from './evaluation-context';
import type { ExceptionQueries } from '../exceptions';
import type { DealExceptionView } from '../../../extensions/app/cards/src/guidance-response.schema';

/** The card's data: the step's verdicts and the deal's exceptions, newest first. */
export type DealGuidanceView = DealGuidance & { exceptions: DealExceptionView[] };

/**
 * The card's data. The warm path reads only the local store (and the in-memory pipeline cache): a rep
 * opening a deal costs HubSpot nothing. A deal the service has never seen (it predates the install) is
 * read from HubSpot once, on demand, and projected.
 */
export interface GuidanceService {
  getGuidance(portalId: number, dealId: string, now: Date): Promise<DealGuidanceView>;
  /** The guidance of a deal already loaded with loadDeal: a write that loaded it need not read it again. */
  getGuidanceOfDeal(deal: DealRecord, now: Date): Promise<DealGuidanceView>;
  /** The projected deal, read on demand when unknown; 404 for a deal this portal does not have. */
  loadDeal(portalId: number, dealId: string, now: Date): Promise<DealRecord>;
}

export function createGuidanceService(deps: {
  store: Store;
  hubspot: Pick<HubSpotApis, 'pipelines'>;
  portals: PortalRegistry;
  playbooks: PlaybookService;
  dealSync: DealSyncService;
  exceptionQueries: Pick<ExceptionQueries, 'listDealExceptions'>;
}): GuidanceService {
  const { store, hubspot, portals, playbooks, dealSync, exceptionQueries } = deps;

  const notFound = (dealId: string) =>
    new AppError('NOT_FOUND', `Deal ${dealId} was not found in this portal`);

  const readFromHubSpot = async (portalId: number, dealId: string, now: Date) => {
    const { deals } = await dealSync.syncDeals(portalId, [dealId], now);
    const deal = deals.find((candidate) => candidate.dealId === dealId);
    if (!deal) throw notFound(dealId);
    return deal;
  };

  const loadDeal = async (portalId: number, dealId: string, now: Date) => {
    // Same answer for "not installed" and "no such deal": a portal learns nothing about others.
    if (!(await portals.confirmInstalled(portalId))) throw notFound(dealId);
    const deal = await store.deals.getDeal(portalId, dealId);
    if (deal?.deletedAt) throw notFound(dealId);
    return deal ?? readFromHubSpot(portalId, dealId, now);
  };

  const getGuidanceOfDeal = async (loaded: DealRecord, now: Date) => {
    const { portalId, dealId } = loaded;
    let deal = loaded;
    let { version, playbook } = await playbooks.forPinnedVersion(portalId, deal.playbookVersion);
    // A playbook that reads a property the projection never fetched: read the deal again, once.
    if (listPropertiesReadByPlaybook(playbook).some((name) => !(name in deal.properties))) {
      deal = await readFromHubSpot(portalId, dealId, now);
      ({ version, playbook } = await playbooks.forPinnedVersion(portalId, deal.playbookVersion));
    }
    const [stageLabel, context, exceptions] = await Promise.all([
      hubspot.pipelines.getStageLabel(portalId, deal.pipelineId, deal.stageId).catch(() => null),
      loadEvaluationContext({ store, portals }, deal, now, { version, playbook }),
      exceptionQueries.listDealExceptions(portalId, dealId),
    ]);
    const guidance = evaluateDealGuidance({
      deal,
      playbook: context.playbook,
      playbookVersion: context.version,
      stageLabel,
      actionStates: context.actionStates,
      now,
      calendar: context.calendar,
      snoozedUntil: context.snoozedUntil,
    });
    return { ...guidance, exceptions };
  };

  return {
    loadDeal,
    getGuidanceOfDeal,
    getGuidance: async (portalId, dealId, now) =>
      getGuidanceOfDeal(await loadDeal(portalId, dealId, now), now),
  };
}
