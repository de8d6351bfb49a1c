import type { Playbook, PlaybookStep } from './playbook.schema';

export type StepResolution = { step: PlaybookStep; reason: null } | { step: null; reason: string };

/**
 * The SOP step a deal in a stage follows. No step is a normal outcome (a closed-lost stage, a
 * pipeline nobody mapped yet), so it comes back with a reason the card can show.
 */
export function resolveStepForStage(playbook: Playbook, pipelineId: string, stageId: string): StepResolution {
  const pipeline = playbook.pipelines[pipelineId];
  if (!pipeline) return { step: null, reason: 'This pipeline has no SOP mapping yet' };
  const stepId = pipeline.stages[stageId];
  if (stepId === undefined)
    return { step: null, reason: `Stage "${stageId}" is not mapped to an SOP step yet` };
  if (stepId === null) return { step: null, reason: `Stage "${stageId}" follows no SOP step` };
  const step = playbook.steps.find((candidate) => candidate.id === stepId);
  // parsePlaybook rejects unknown step ids; this guards playbooks built without it.
  if (!step) return { step: null, reason: `Stage "${stageId}" maps to the unknown SOP step "${stepId}"` };
  return { step, reason: null };
}
