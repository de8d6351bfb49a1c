import { evaluateDealGuidance, groupBy, listPropertiesReadByPlaybook, type DealGuidance } from '../../domain';
import type { DealSyncService } from '../deals';
import { AppError } from '../../platform/errors/app-error';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { ActionCompletion } from '../checklist';
import type { PlaybookService, VersionedPlaybook } from '../playbooks';
import type { Snooze } from '../snoozes';
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
  /**
   * The guidance of many deals of a portal, each kind of record read once for all of them (the
   * write-back's flush, up to 500 deals): the deals the projection has, by id. A deal it lacks (or has
   * deleted), or one its playbook needs read again from HubSpot, is left out: ask getGuidance for it.
   */
  listGuidance(
    portalId: number,
    dealIds: readonly string[],
    now: Date,
  ): Promise<Map<string, DealGuidanceView>>;
}

export function createGuidanceService(deps: {
  store: Store;
  hubspot: Pick<HubSpotApis, 'pipelines'>;
  portals: PortalRegistry;
  playbooks: PlaybookService;
  dealSync: DealSyncService;
  exceptionQueries: Pick<ExceptionQueries, 'listExceptionsOfDeals'>;
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

  /** A playbook reads a property the projection never fetched: the deal must be read again first. */
  const lacksProperties = (deal: DealRecord, playbook: VersionedPlaybook['playbook']) =>
    listPropertiesReadByPlaybook(playbook).some((name) => !(name in deal.properties));

  /** The card's data for a deal judged by `versioned`; `preread` is what a caller read for many deals. */
  const judge = async (
    deal: DealRecord,
    versioned: VersionedPlaybook,
    now: Date,
    preread?: { completions: ActionCompletion[]; snoozes: Snooze[]; exceptions: DealExceptionView[] },
  ): Promise<DealGuidanceView> => {
    const [stageLabel, context, exceptions] = await Promise.all([
      hubspot.pipelines.getStageLabel(deal.portalId, deal.pipelineId, deal.stageId).catch(() => null),
      loadEvaluationContext({ store, portals }, deal, now, versioned, preread),
      preread?.exceptions ??
        exceptionQueries
          .listExceptionsOfDeals(deal.portalId, [deal.dealId])
          .then((views) => views.get(deal.dealId) ?? []),
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

  const getGuidanceOfDeal = async (loaded: DealRecord, now: Date) => {
    let deal = loaded;
    let versioned = await playbooks.forPinnedVersion(deal.portalId, deal.playbookVersion);
    if (lacksProperties(deal, versioned.playbook)) {
      deal = await readFromHubSpot(deal.portalId, deal.dealId, now);
      versioned = await playbooks.forPinnedVersion(deal.portalId, deal.playbookVersion);
    }
    return judge(deal, versioned, now);
  };

  const listGuidance = async (portalId: number, dealIds: readonly string[], now: Date) => {
    const views = new Map<string, DealGuidanceView>();
    if (!(await portals.confirmInstalled(portalId))) return views;
    const deals = (await store.deals.getDeals(portalId, dealIds)).filter((deal) => !deal.deletedAt);
    const ids = deals.map((deal) => deal.dealId);
    const [completions, snoozes, exceptions] = await Promise.all([
      store.actions.listActionCompletions(portalId, ids),
      store.snoozes.listSnoozesForDeals(portalId, ids),
      exceptionQueries.listExceptionsOfDeals(portalId, ids),
    ]);
    const completionsOf = groupBy(completions, (entry) => entry.dealId);
    const snoozesOf = groupBy(snoozes, (snooze) => snooze.dealId);
    const versions = new Map<number | null, Promise<VersionedPlaybook>>();
    for (const deal of deals) {
      let versioned = versions.get(deal.playbookVersion);
      if (!versioned) {
        versioned = playbooks.forPinnedVersion(portalId, deal.playbookVersion);
        versions.set(deal.playbookVersion, versioned);
      }
      const judging = await versioned;
      if (lacksProperties(deal, judging.playbook)) continue;
      views.set(
        deal.dealId,
        await judge(deal, judging, now, {
          completions: completionsOf.get(deal.dealId) ?? [],
          snoozes: snoozesOf.get(deal.dealId) ?? [],
          exceptions: exceptions.get(deal.dealId) ?? [],
        }),
      );
    }
    return views;
  };

  return {
    loadDeal,
    getGuidanceOfDeal,
    listGuidance,
    getGuidance: async (portalId, dealId, now) =>
      getGuidanceOfDeal(await loadDeal(portalId, dealId, now), now),
  };
}
