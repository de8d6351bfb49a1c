import type {
  ComplianceResponse,
  DemandResponse,
  InsightsFiltersResponse,
  OutcomesResponse,
} from '../../../extensions/app/pages/src/insights-response.schema';
import { listMonths, resolveStepForStage, summarizeDemand, summarizeOutcomes } from '../../domain';
import type { Store } from '../../platform/db';
import { AppError } from '../../platform/errors/app-error';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { HubSpotOwner } from '../../platform/hubspot/owners.api';
import type { DealPipeline } from '../../platform/hubspot/pipelines.api';
import type { ManagerAccess } from '../access';
import { createCachedOwners } from '../../platform/hubspot/owners-cache';
import type { PlaybookService } from '../playbooks';
import type { DealScope } from './insights.repository';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Without `from`, the outcomes cover the last 90 days: a quarter of closings. */
export const DEFAULT_OUTCOME_WINDOW_DAYS = 90;

/** Who asks, for which portal: a HubSpot user (from the signed request), or the operator at the CLI (null). */
export interface InsightsViewer {
  portalId: number;
  userId: string | null;
}

export interface InsightsService {
  filters(viewer: InsightsViewer): Promise<InsightsFiltersResponse>;
  compliance(
    viewer: InsightsViewer,
    query: { pipelineId: string; ownerId?: string },
  ): Promise<ComplianceResponse>;
  outcomes(
    viewer: InsightsViewer,
    query: { pipelineId: string; from?: string; to?: string; ownerId?: string },
    now: Date,
  ): Promise<OutcomesResponse>;
  demand(
    viewer: InsightsViewer,
    query: { pipelineId: string; months: number; ownerId?: string },
    now: Date,
  ): Promise<DemandResponse>;
}

export interface InsightsServiceDeps {
  store: Pick<Store, 'insights'>;
  hubspot: Pick<HubSpotApis, 'pipelines' | 'owners'>;
  playbooks: PlaybookService;
  managerAccess: ManagerAccess;
  /** Read once per request, for the owner cache. */
  clock: { now(): Date };
}

function ownerName(owner: HubSpotOwner | undefined, ownerId: string | null): string {
  if (ownerId === null) return 'Unassigned';
  const full = [owner?.firstName, owner?.lastName].filter(Boolean).join(' ');
  return full || owner?.email || `Owner ${ownerId}`;
}

function parseDay(text: string, field: string): Date {
  const at = new Date(`${text}T00:00:00.000Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(at.getTime()))
    throw new AppError('BAD_REQUEST', `${field}: expected a date as YYYY-MM-DD`);
  return at;
}

/**
 * The dashboard's figures. A manager sees every deal of the pipeline (optionally one owner's); anyone
 * else sees the deals they own (their HubSpot user's owner record), whatever owner they ask for.
 */
export function createInsightsService(deps: InsightsServiceDeps): InsightsService {
  const { store, hubspot, playbooks, managerAccess, clock } = deps;
  const owners = createCachedOwners(hubspot.owners);
  const ownersOf = (portalId: number) => owners.list(portalId, clock.now());

  // The operator runs the service (and its CLI): they see what a manager sees.
  const managesAll = async (viewer: InsightsViewer) =>
    viewer.userId === null || (await managerAccess.describeAccess(viewer.portalId, viewer.userId)).canEdit;

  /** The deals a viewer may see; null when they own no deals at all (a user who is no HubSpot owner). */
  async function scopeFor(
    viewer: InsightsViewer,
    pipelineId: string,
    ownerId: string | undefined,
  ): Promise<DealScope | null> {
    if (await managesAll(viewer))
      return { portalId: viewer.portalId, pipelineId, ...(ownerId ? { ownerId } : {}) };
    const own = (await ownersOf(viewer.portalId)).find((owner) => owner.userId === viewer.userId);
    return own ? { portalId: viewer.portalId, pipelineId, ownerId: own.id } : null;
  }

  async function pipelineOf(portalId: number, pipelineId: string): Promise<DealPipeline> {
    const pipeline = (await hubspot.pipelines.getAll(portalId)).find((p) => p.id === pipelineId);
    if (!pipeline)
      throw new AppError('NOT_FOUND', `pipelineId: no deal pipeline "${pipelineId}" in this portal`);
    return pipeline;
  }

  const openStageIds = (pipeline: DealPipeline) =>
    pipeline.stages.filter((stage) => !stage.isClosed).map((stage) => stage.id);

  return {
    async filters(viewer) {
      const [canManage, pipelines, owners] = await Promise.all([
        managesAll(viewer),
        hubspot.pipelines.getAll(viewer.portalId),
        ownersOf(viewer.portalId),
      ]);
      const own = owners.find((owner) => viewer.userId !== null && owner.userId === viewer.userId);
      return {
        canManage,
        ownerId: own?.id ?? null,
        pipelines: pipelines
          .filter((pipeline) => !pipeline.archived)
          .map((pipeline) => ({
            id: pipeline.id,
            label: pipeline.label,
            stages: pipeline.stages
              .filter((stage) => !stage.archived)
              .map((stage) => ({ id: stage.id, label: stage.label })),
          })),
        owners: (canManage ? owners : [])
          .map((owner) => ({ ownerId: owner.id, name: ownerName(owner, owner.id) }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      };
    },

    async compliance(viewer, query) {
      const pipeline = await pipelineOf(viewer.portalId, query.pipelineId);
      const scope = await scopeFor(viewer, query.pipelineId, query.ownerId);
      const counts = scope ? await store.insights.countOpenDeals(scope, openStageIds(pipeline)) : [];
      const { playbook } = await playbooks.current(viewer.portalId);
      const zero = () => ({ open: 0, ready: 0, blocked: 0, stalled: 0, openExceptions: 0 });
      const byOwner = new Map<string | null, ReturnType<typeof zero>>();
      const byStage = new Map(pipeline.stages.filter((s) => !s.isClosed).map((s) => [s.id, zero()]));
      for (const row of counts) {
        const ownerFigures = byOwner.get(row.ownerId) ?? zero();
        byOwner.set(row.ownerId, ownerFigures);
        for (const figures of [byStage.get(row.stageId), ownerFigures]) {
          if (!figures) continue;
          figures.open += row.open;
          figures.ready += row.ready;
          figures.blocked += row.blocked;
          figures.stalled += row.stalled;
          figures.openExceptions += row.openExceptions;
        }
      }
      const owners = byOwner.size > 0 ? await ownersOf(viewer.portalId) : [];
      return {
        pipelineId: pipeline.id,
        byStage: pipeline.stages
          .filter((stage) => !stage.isClosed)
          .map((stage) => ({
            stageId: stage.id,
            label: stage.label,
            stepId: resolveStepForStage(playbook, pipeline.id, stage.id).step?.id ?? null,
            ...byStage.get(stage.id)!,
          })),
        byOwner: [...byOwner]
          .map(([ownerId, figures]) => ({
            ownerId,
            name: ownerName(
              owners.find((owner) => owner.id === ownerId),
              ownerId,
            ),
            ...figures,
          }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      };
    },

    async outcomes(viewer, query, now) {
      const to = query.to
        ? parseDay(query.to, 'to')
        : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
      const from = query.from
        ? parseDay(query.from, 'from')
        : new Date(to.getTime() - DEFAULT_OUTCOME_WINDOW_DAYS * DAY_MS);
      if (from.getTime() > to.getTime()) throw new AppError('BAD_REQUEST', 'from: must not be after to');
      await pipelineOf(viewer.portalId, query.pipelineId);
      const scope = await scopeFor(viewer, query.pipelineId, query.ownerId);
      // `to` is a whole day: deals closed at any time on it count.
      const histograms = scope ? await store.insights.sumOutcomeHistograms(scope, { from, to }) : [];
      const { playbook } = await playbooks.current(viewer.portalId);
      return {
        pipelineId: query.pipelineId,
        from: from.toISOString().slice(0, 10),
        to: to.toISOString().slice(0, 10),
        ...summarizeOutcomes(
          histograms,
          playbook.steps.map((step) => step.id),
        ),
      };
    },

    async demand(viewer, query, now) {
      const pipeline = await pipelineOf(viewer.portalId, query.pipelineId);
      const scope = await scopeFor(viewer, query.pipelineId, query.ownerId);
      const months = listMonths(now, query.months);
      const [groups, won, capacity] = scope
        ? await Promise.all([
            store.insights.groupOpenDealsForDemand(scope, openStageIds(pipeline)),
            store.insights.sumWonAmountByMonth(scope, months),
            store.insights.listCapacity(viewer.portalId, months),
          ])
        : [[], new Map<string, number>(), await store.insights.listCapacity(viewer.portalId, months)];
      const probability = new Map(pipeline.stages.map((stage) => [stage.id, stage.probability ?? 0]));
      return {
        pipelineId: pipeline.id,
        ...summarizeDemand({
          months,
          openDeals: groups,
          probabilityOf: (stageId) => probability.get(stageId) ?? 0,
          wonAmountByMonth: won,
          capacityByMonth: capacity,
        }),
      };
    },
  };
}
