/** Choose a pipeline, then map each of its stages to an SOP step (or to none). */
import {
  Flex,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
} from '@hubspot/ui-extensions';
import type { HubSpotPipelineView, PlaybookIssue } from './playbook-api.schema';
import { findIssue, type PlaybookDraft } from './playbook-draft';

const UNMAPPED = '__unmapped__';
const NO_STEP = '__none__';

export interface StageMappingEditorProps {
  draft: PlaybookDraft;
  hubspotPipelines: HubSpotPipelineView[];
  pipelineId: string;
  onPipelineChange: (pipelineId: string) => void;
  onMapStage: (pipelineId: string, stageId: string, stepId: string | null | undefined) => void;
  issues: PlaybookIssue[];
  readOnly: boolean;
}

interface StageRow {
  id: string;
  label: string;
}

/** HubSpot's stages in pipeline order, then stages only the playbook names (HubSpot lacks them). */
function listStageRows(draft: PlaybookDraft, hubspotPipelines: HubSpotPipelineView[], pipelineId: string) {
  const fromHubSpot: StageRow[] = (hubspotPipelines.find((p) => p.id === pipelineId)?.stages ?? []).map(
    (stage) => ({
      id: stage.id,
      label: `${stage.label} (${stage.id})`,
    }),
  );
  const known = new Set(fromHubSpot.map((stage) => stage.id));
  const onlyInPlaybook = Object.keys(draft.pipelines[pipelineId]?.stages ?? {})
    .filter((stageId) => !known.has(stageId))
    .map((stageId) => ({ id: stageId, label: `${stageId} (not in HubSpot)` }));
  return [...fromHubSpot, ...onlyInPlaybook];
}

export function listPipelineOptions(draft: PlaybookDraft, hubspotPipelines: HubSpotPipelineView[]) {
  const options = hubspotPipelines.map((pipeline) => ({ label: pipeline.label, value: pipeline.id }));
  for (const pipelineId of Object.keys(draft.pipelines)) {
    if (!options.some((option) => option.value === pipelineId)) {
      options.push({ label: `${pipelineId} (not in HubSpot)`, value: pipelineId });
    }
  }
  return options;
}

export function StageMappingEditor(props: StageMappingEditorProps) {
  const { draft, hubspotPipelines, pipelineId, issues, readOnly } = props;
  const mapping = draft.pipelines[pipelineId]?.stages ?? {};
  const stepOptions = [
    { label: 'Not mapped', value: UNMAPPED },
    { label: 'No step', value: NO_STEP },
    ...draft.steps.map((step) => ({ label: step.title || step.id, value: step.id })),
  ];
  const rows = listStageRows(draft, hubspotPipelines, pipelineId);

  return (
    <Flex direction="column" gap="sm">
      <Select
        testId="pipeline-select"
        label="Pipeline"
        value={pipelineId}
        options={listPipelineOptions(draft, hubspotPipelines)}
        onChange={(value) => props.onPipelineChange(String(value))}
      />
      {rows.length === 0 ? (
        <Text>This pipeline has no stages to map.</Text>
      ) : (
        <Table testId={`pipeline-${pipelineId}`} bordered>
          <TableHead>
            <TableRow>
              <TableHeader>Stage</TableHeader>
              <TableHeader>SOP step</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map((stage) => {
              const stepId = mapping[stage.id];
              const issue = findIssue(issues, `pipelines.${pipelineId}.stages.${stage.id}`);
              return (
                <TableRow key={stage.id}>
                  <TableCell>{stage.label}</TableCell>
                  <TableCell>
                    <Select
                      testId={`stage-${stage.id}`}
                      label={`Step for ${stage.id}`}
                      value={stepId === undefined ? UNMAPPED : stepId === null ? NO_STEP : stepId}
                      options={
                        stepId && !draft.steps.some((step) => step.id === stepId)
                          ? [...stepOptions, { label: `${stepId} (unknown step)`, value: stepId }]
                          : stepOptions
                      }
                      readOnly={readOnly}
                      error={issue !== undefined}
                      validationMessage={issue}
                      onChange={(value) =>
                        props.onMapStage(
                          pipelineId,
                          stage.id,
                          value === UNMAPPED ? undefined : value === NO_STEP ? null : String(value),
                        )
                      }
                    />
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
    </Flex>
  );
}
