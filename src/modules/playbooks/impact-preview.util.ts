import { resolveStepForStage, type DealGuidance, type Playbook } from '../../domain';

/**
 * Where an open deal would stand under a candidate playbook. One bucket per deal, in this order of
 * precedence: no step for its stage; stalled (the manager's first worry, whatever the checklist says);
 * compliant (ready to advance); otherwise blocked.
 */
export type ImpactBucket = 'noStep' | 'stalled' | 'compliant' | 'blocked';

export const IMPACT_SAMPLE_SIZE = 5;

export interface BucketImpact {
  count: number;
  /** The first deals (by id) in the bucket, for the manager to open and check. */
  sampleDealIds: string[];
}

export interface StageImpact {
  pipelineId: string;
  stageId: string;
  /** HubSpot's label, or the stage id when HubSpot does not list the stage. */
  label: string;
  /** The candidate's step for the stage; null when it maps the stage to none. */
  stepId: string | null;
  openDeals: number;
  compliant: BucketImpact;
  blocked: BucketImpact;
  stalled: BucketImpact;
  noStep: BucketImpact;
}

export interface PreviewPipeline {
  id: string;
  label: string;
  displayOrder: number;
  archived: boolean;
  stages: ReadonlyArray<{ id: string; label: string; displayOrder: number; isClosed: boolean }>;
}

export function classifyDealImpact(guidance: DealGuidance): ImpactBucket {
  if (guidance.step === null) return 'noStep';
  if (guidance.stall.stalled) return 'stalled';
  return guidance.readyToAdvance ? 'compliant' : 'blocked';
}

const emptyBucket = (): BucketImpact => ({ count: 0, sampleDealIds: [] });

/**
 * Counts deals per stage as they are evaluated, page after page, so that the preview never holds more
 * than a page of deals. Every open stage of HubSpot's pipelines is listed, deals or not, so the manager
 * sees the whole pipeline; stages only the projection knows come after, in the order first met.
 */
export function createImpactTally(playbook: Playbook, pipelines: readonly PreviewPipeline[]) {
  const stages = new Map<string, StageImpact>();
  const closed = new Set<string>();
  const keyOf = (pipelineId: string, stageId: string) => `${pipelineId}\u0000${stageId}`;

  const addStage = (pipelineId: string, stageId: string, label: string) => {
    const stage: StageImpact = {
      pipelineId,
      stageId,
      label,
      stepId: resolveStepForStage(playbook, pipelineId, stageId).step?.id ?? null,
      openDeals: 0,
      compliant: emptyBucket(),
      blocked: emptyBucket(),
      stalled: emptyBucket(),
      noStep: emptyBucket(),
    };
    stages.set(keyOf(pipelineId, stageId), stage);
    return stage;
  };

  const byOrder = <T extends { displayOrder: number }>(a: T, b: T) => a.displayOrder - b.displayOrder;
  for (const pipeline of [...pipelines].filter((p) => !p.archived).sort(byOrder)) {
    for (const stage of [...pipeline.stages].sort(byOrder)) {
      if (stage.isClosed) closed.add(keyOf(pipeline.id, stage.id));
      else addStage(pipeline.id, stage.id, stage.label);
    }
  }

  return {
    /** False for a deal in a closed stage: the preview is about deals still in play. */
    isOpen: (pipelineId: string, stageId: string) => !closed.has(keyOf(pipelineId, stageId)),
    add(pipelineId: string, stageId: string, dealId: string, bucket: ImpactBucket) {
      const stage = stages.get(keyOf(pipelineId, stageId)) ?? addStage(pipelineId, stageId, stageId);
      stage.openDeals += 1;
      const counted = stage[bucket];
      counted.count += 1;
      if (counted.sampleDealIds.length < IMPACT_SAMPLE_SIZE) counted.sampleDealIds.push(dealId);
    },
    summarize(): { stages: StageImpact[]; totals: Record<ImpactBucket | 'openDeals', number> } {
      const list = [...stages.values()];
      const sum = (pick: (stage: StageImpact) => number) => list.reduce((total, s) => total + pick(s), 0);
      return {
        stages: list,
        totals: {
          openDeals: sum((s) => s.openDeals),
          compliant: sum((s) => s.compliant.count),
          blocked: sum((s) => s.blocked.count),
          stalled: sum((s) => s.stalled.count),
          noStep: sum((s) => s.noStep.count),
        },
      };
    },
  };
}
