/** What each enforcement mode would have done with the moves that left each step lately. */
import {
  Flex,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
} from '@hubspot/ui-extensions';
import type { EnforcementPreview, StepEnforcementPreviewView } from './playbook-api.schema';

const MODE_LABELS = {
  advisory: 'Advisory',
  justify: 'Ask for a reason',
  approve: 'Manager approval',
  revert: 'Move back',
} as const;

/** The mode the step is set to is marked, so the manager reads their choice's row at a glance. */
const chosen = (step: StepEnforcementPreviewView, mode: keyof typeof MODE_LABELS, text: string) =>
  step.mode === mode ? `${text} (chosen)` : text;

function describeRevert(step: StepEnforcementPreviewView): string {
  const { movedBack, approvalsAsked } = step.ifMode.revert;
  return approvalsAsked > 0
    ? `${movedBack} moved back, ${approvalsAsked} approvals asked (into a closed stage)`
    : `${movedBack} moved back`;
}

export function EnforcementPreviewTable({ preview }: { preview: EnforcementPreview }) {
  return (
    <Flex direction="column" gap="sm">
      <Text testId="enforcement-preview-summary">
        {`${preview.movesJudged} stage moves recorded in the last ${preview.days} days, judged against this draft.` +
          (preview.truncated ? ' Only the newest are counted: there were more.' : '')}
      </Text>
      <Table testId="enforcement-preview-table" bordered density="condensed">
        <TableHead>
          <TableRow>
            <TableHeader>Step</TableHeader>
            <TableHeader>Moves out</TableHeader>
            <TableHeader>SOP unmet</TableHeader>
            <TableHeader>Exempt</TableHeader>
            <TableHeader>{MODE_LABELS.advisory}</TableHeader>
            <TableHeader>{MODE_LABELS.justify}</TableHeader>
            <TableHeader>{MODE_LABELS.approve}</TableHeader>
            <TableHeader>{MODE_LABELS.revert}</TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {preview.steps.map((step) => (
            <TableRow key={step.stepId}>
              <TableCell>{step.title || step.stepId}</TableCell>
              <TableCell>{String(step.moves)}</TableCell>
              <TableCell>{String(step.unmet)}</TableCell>
              <TableCell>{String(step.exempt)}</TableCell>
              <TableCell>{chosen(step, 'advisory', `${step.ifMode.advisory.recorded} recorded`)}</TableCell>
              <TableCell>
                {chosen(step, 'justify', `${step.ifMode.justify.reasonsAsked} reasons asked`)}
              </TableCell>
              <TableCell>
                {chosen(step, 'approve', `${step.ifMode.approve.approvalsAsked} approvals asked`)}
              </TableCell>
              <TableCell>{chosen(step, 'revert', describeRevert(step))}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Text variant="microcopy">
        Checklists are judged as they stood at each move; checks read each deal&apos;s data as it is now.
        Moves made by SOP Guide itself are not counted.
      </Text>
    </Flex>
  );
}
