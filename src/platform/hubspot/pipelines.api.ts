import { pipelinesSchema } from './hubspot-responses.schema';
import { parseResponse, type HubSpotTransport } from './hubspot-transport';

export interface DealPipelineStage {
  id: string;
  label: string;
  displayOrder: number;
  /** 0..1 win probability from the stage metadata; null when HubSpot has none. */
  probability: number | null;
  isClosed: boolean;
  archived: boolean;
}

export interface DealPipeline {
  id: string;
  label: string;
  displayOrder: number;
  archived: boolean;
  stages: DealPipelineStage[];
}

/** The portal's deal pipelines and their stages. */
export interface PipelinesApi {
  /** Cached per portal for the TTL; HubSpot pipelines change rarely and are read on every card. */
  getAll(portalId: number): Promise<DealPipeline[]>;
  /** null when the pipeline has no such stage, even after re-reading a stale cache. */
  getStageLabel(portalId: number, pipelineId: string, stageId: string): Promise<string | null>;
}

export interface PipelineCacheOptions {
  ttlMs?: number;
  /** Clock for the cache. */
  now?: () => number;
}

const DEFAULT_PIPELINE_TTL_MS = 10 * 60 * 1000;
/** A stage missing from a cached pipeline may be brand new: re-read, but not more than once a minute. */
const STAGE_MISS_REFRESH_AFTER_MS = 60 * 1000;

export function createPipelinesApi(
  transport: HubSpotTransport,
  cacheOptions: PipelineCacheOptions = {},
): PipelinesApi {
  const now = cacheOptions.now ?? Date.now;
  const ttlMs = cacheOptions.ttlMs ?? DEFAULT_PIPELINE_TTL_MS;
  const cache = new Map<number, { loadedAt: number; pipelines: Promise<DealPipeline[]> }>();

  async function load(portalId: number): Promise<DealPipeline[]> {
    const operation = 'getDealPipelines';
    const { data } = await transport.call(portalId, operation, { idempotent: true }, (apis) =>
      apis.pipelines.getAllWithHttpInfo('deals'),
    );
    const parsed = parseResponse(pipelinesSchema, data, operation, portalId);
    return parsed.results
      .map((pipeline) => ({
        id: pipeline.id,
        label: pipeline.label,
        displayOrder: pipeline.displayOrder,
        archived: pipeline.archived,
        stages: pipeline.stages
          .map((stage) => {
            const probability = Number(stage.metadata?.probability);
            return {
              id: stage.id,
              label: stage.label,
              displayOrder: stage.displayOrder,
              probability:
                stage.metadata?.probability === undefined || Number.isNaN(probability) ? null : probability,
              isClosed: stage.metadata?.isClosed === 'true',
              archived: stage.archived,
            };
          })
          .sort((a, b) => a.displayOrder - b.displayOrder),
      }))
      .sort((a, b) => a.displayOrder - b.displayOrder);
  }

  function getAll(portalId: number): Promise<DealPipeline[]> {
    const cached = cache.get(portalId);
    if (cached && now() - cached.loadedAt < ttlMs) return cached.pipelines;
    const pipelines = load(portalId);
    const entry = { loadedAt: now(), pipelines };
    cache.set(portalId, entry);
    // A failed load is not cached: the next caller tries again.
    pipelines.catch(() => {
      if (cache.get(portalId) === entry) cache.delete(portalId);
    });
    return pipelines;
  }

  async function findStage(portalId: number, pipelineId: string, stageId: string) {
    const lookup = (pipelines: DealPipeline[]) => {
      const pipeline = pipelines.find((p) => p.id === pipelineId);
      const stage = pipeline?.stages.find((s) => s.id === stageId);
      return pipeline && stage ? { pipeline, stage } : null;
    };
    const found = lookup(await getAll(portalId));
    if (found) return found;
    const cached = cache.get(portalId);
    if (!cached || now() - cached.loadedAt < STAGE_MISS_REFRESH_AFTER_MS) return null;
    cache.delete(portalId);
    return lookup(await getAll(portalId));
  }

  return {
    getAll,
    async getStageLabel(portalId, pipelineId, stageId) {
      return (await findStage(portalId, pipelineId, stageId))?.stage.label ?? null;
    },
  };
}
