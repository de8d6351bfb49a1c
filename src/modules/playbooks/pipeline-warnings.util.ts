import type { Playbook, PlaybookError } from '../../domain';

/** A problem worth telling the manager that does not stop a publish; same shape as a validation error. */
export type PlaybookWarning = PlaybookError;

/** Just what the check needs of HubSpot's pipelines, so that it stays a pure function. */
export interface KnownPipeline {
  id: string;
  stages: ReadonlyArray<{ id: string }>;
}

/**
 * Stage and pipeline ids the portal's HubSpot does not have. Warnings, not errors: a playbook is
 * often written before the pipeline is built, or shared between portals whose pipelines differ,
 * and a mapping for a stage nobody is in harms no deal.
 */
export function listUnknownPipelineStages(
  playbook: Playbook,
  pipelines: readonly KnownPipeline[],
): PlaybookWarning[] {
  const warnings: PlaybookWarning[] = [];
  for (const [pipelineId, mapping] of Object.entries(playbook.pipelines)) {
    const pipeline = pipelines.find((candidate) => candidate.id === pipelineId);
    if (!pipeline) {
      warnings.push({
        path: `pipelines.${pipelineId}`,
        message: `HubSpot has no deal pipeline "${pipelineId}" in this portal`,
      });
      continue;
    }
    const stageIds = new Set(pipeline.stages.map((stage) => stage.id));
    for (const stageId of Object.keys(mapping.stages)) {
      if (!stageIds.has(stageId)) {
        warnings.push({
          path: `pipelines.${pipelineId}.stages.${stageId}`,
          message: `HubSpot pipeline "${pipelineId}" has no stage "${stageId}"`,
        });
      }
    }
  }
  return warnings;
}

/** "steps.2.actions.0.id: required; name: must not be empty": the one-line summary of a list of errors. */
export function describePlaybookErrors(errors: readonly PlaybookError[]): string {
  return errors.map((error) => `${error.path || '(document)'}: ${error.message}`).join('; ');
}
