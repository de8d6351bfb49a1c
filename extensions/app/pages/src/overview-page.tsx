import { useState } from 'react';
import {
  BarChart,
  EmptyState,
  Flex,
  Heading,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
} from '@hubspot/ui-extensions';
import { PageTitle } from '@hubspot/ui-extensions/pages';
import type { ComplianceResponse } from './insights-response.schema';
import { Loaded, Navigation, PipelineSelect, usePagesSetup } from './pages-context';
import { FiguresTable } from './figures-table';
import { useInsight } from './use-insight';

type OwnerSortField = 'name' | 'open' | 'blocked' | 'stalled';

function OwnerTable({ byOwner }: { byOwner: ComplianceResponse['byOwner'] }) {
  const [sort, setSort] = useState<{ field: OwnerSortField; direction: 'ascending' | 'descending' }>({
    field: 'open',
    direction: 'descending',
  });
  const sorted = [...byOwner].sort((a, b) => {
    const order = sort.field === 'name' ? a.name.localeCompare(b.name) : a[sort.field] - b[sort.field];
    return sort.direction === 'ascending' ? order : -order;
  });
  const header = (field: OwnerSortField, label: string) => (
    <TableHeader
      sortDirection={sort.field === field ? sort.direction : 'none'}
      onSortChange={(direction) =>
        setSort({ field, direction: direction === 'ascending' ? 'ascending' : 'descending' })
      }
    >
      {label}
    </TableHeader>
  );
  return (
    <Table testId="by-owner">
      <TableHead>
        <TableRow>
          {header('name', 'Owner')}
          {header('open', 'Open')}
          <TableHeader>Ready</TableHeader>
          {header('blocked', 'Blocked')}
          {header('stalled', 'Stalled')}
          <TableHeader>Open exceptions</TableHeader>
        </TableRow>
      </TableHead>
      <TableBody>
        {sorted.map((owner) => (
          <TableRow key={owner.ownerId ?? 'unassigned'}>
            <TableCell>{owner.name}</TableCell>
            <TableCell>{owner.open}</TableCell>
            <TableCell>{owner.ready}</TableCell>
            <TableCell>{owner.blocked}</TableCell>
            <TableCell>{owner.stalled}</TableCell>
            <TableCell>{owner.openExceptions}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** A manager narrows the figures to one owner; anyone else sees their own deals only (the service says so). */
function OwnerSelect({ ownerId, onChange }: { ownerId: string; onChange: (ownerId: string) => void }) {
  const { viewer } = usePagesSetup();
  if (!viewer.canManage) return null;
  return (
    <Select
      label="Owner"
      name="owner"
      value={ownerId}
      onChange={(value) => onChange(String(value))}
      options={[
        { label: 'All owners', value: '' },
        ...viewer.owners.map((owner) => ({ label: owner.name, value: owner.ownerId })),
      ]}
    />
  );
}

/** Open deals by stage and by owner: ready, blocked, stalled, with open exceptions. */
export function OverviewPage() {
  const { client, viewer, pipelineId } = usePagesSetup();
  const [ownerId, setOwnerId] = useState('');
  const state = useInsight(
    () => client.getCompliance({ pipelineId, ownerId: ownerId || undefined }),
    `${pipelineId}|${ownerId}`,
  );
  return (
    <>
      <PageTitle>SOP compliance</PageTitle>
      <Navigation />
      <Flex direction="row" gap="medium">
        <PipelineSelect />
        <OwnerSelect ownerId={ownerId} onChange={setOwnerId} />
      </Flex>
      {viewer.canManage ? null : <Text>Your open deals.</Text>}
      <Loaded state={state}>
        {(compliance) => (
          <Flex direction="column" gap="medium">
            <BarChart
              data={compliance.byStage.flatMap((stage) => [
                { stage: stage.label, status: 'Ready', deals: stage.ready },
                { stage: stage.label, status: 'Blocked', deals: stage.blocked },
                { stage: stage.label, status: 'Stalled', deals: stage.stalled },
              ])}
              axes={{
                x: { field: 'stage', fieldType: 'category', label: 'Stage' },
                y: { field: 'deals', fieldType: 'linear', label: 'Open deals' },
                options: { groupFieldByColor: 'status' },
              }}
            />
            <FiguresTable
              testId="by-stage"
              headers={['Stage', 'Open', 'Ready', 'Blocked', 'Stalled', 'Open exceptions']}
              rows={compliance.byStage}
              rowKey={(stage) => stage.stageId}
              cells={(stage) => [
                stage.label,
                stage.open,
                stage.ready,
                stage.blocked,
                stage.stalled,
                stage.openExceptions,
              ]}
            />
            <Heading>By owner</Heading>
            {compliance.byOwner.length === 0 ? (
              <EmptyState title="No open deals" layout="vertical">
                <Text>No open deal in this pipeline yet.</Text>
              </EmptyState>
            ) : (
              <OwnerTable byOwner={compliance.byOwner} />
            )}
          </Flex>
        )}
      </Loaded>
    </>
  );
}
