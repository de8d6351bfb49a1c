/** What the candidate playbook would make of today's open deals, stage by stage. */
import {
  Alert,
  Flex,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
} from '@hubspot/ui-extensions';
import type { PlaybookPreview } from './playbook-api.schema';

function describeBucket(bucket: { count: number; sampleDealIds: string[] }): string {
  return bucket.count === 0 ? '0' : `${bucket.count} (e.g. ${bucket.sampleDealIds.join(', ')})`;
}

export function ImpactPreviewTable({ preview }: { preview: PlaybookPreview }) {
  const { totals } = preview;
  return (
    <Flex direction="column" gap="sm">
      <Text testId="preview-totals">
        {`${totals.openDeals} open deals: ${totals.compliant} ready to advance, ${totals.blocked} blocked, ` +
          `${totals.stalled} stalled, ${totals.noStep} in stages with no step.`}
      </Text>
      <Table testId="preview-table" bordered density="condensed">
        <TableHead>
          <TableRow>
            <TableHeader>Stage</TableHeader>
            <TableHeader>Step</TableHeader>
            <TableHeader>Open</TableHeader>
            <TableHeader>Ready</TableHeader>
            <TableHeader>Blocked</TableHeader>
            <TableHeader>Stalled</TableHeader>
            <TableHeader>No step</TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {preview.stages.map((stage) => (
            <TableRow key={`${stage.pipelineId}/${stage.stageId}`}>
              <TableCell>{stage.label}</TableCell>
              <TableCell>{stage.stepId ?? 'No step'}</TableCell>
              <TableCell>{String(stage.openDeals)}</TableCell>
              <TableCell>{describeBucket(stage.compliant)}</TableCell>
              <TableCell>{describeBucket(stage.blocked)}</TableCell>
              <TableCell>{describeBucket(stage.stalled)}</TableCell>
              <TableCell>{describeBucket(stage.noStep)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {preview.unreadProperties.length > 0 ? (
        <Alert title="Some properties are not synced yet" variant="info">
          {`Checks on ${preview.unreadProperties.join(', ')} count as failing here; deals are read with them once this playbook is published.`}
        </Alert>
      ) : null}
    </Flex>
  );
}
