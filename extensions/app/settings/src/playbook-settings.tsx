/**
 * The app's settings page, read-only for now: it shows the portal's playbook as the service has it
 * (name, version, stage-to-step mapping, steps). A later change turns it into the editor.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  Button,
  Divider,
  ErrorState,
  Flex,
  Heading,
  List,
  LoadingSpinner,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
  Tile,
} from '@hubspot/ui-extensions';
import type { PlaybookClient } from './playbook-client';
import { playbookViewSchema } from './playbook-view.schema';
import type { PlaybookView, PlaybookViewStep } from './playbook-view.schema';

type PageState =
  { status: 'loading' } | { status: 'failed'; message: string } | { status: 'ready'; playbook: PlaybookView };

export interface PlaybookSettingsProps {
  client: PlaybookClient;
}

export function PlaybookSettings({ client }: PlaybookSettingsProps) {
  const [state, setState] = useState<PageState>({ status: 'loading' });
  const latestLoadId = useRef(0);

  const load = useCallback(async () => {
    const loadId = ++latestLoadId.current;
    setState({ status: 'loading' });
    const next = await fetchPlaybook(client);
    // A retry may overtake an earlier load; only the latest may land.
    if (loadId === latestLoadId.current) {
      setState(next);
    }
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  switch (state.status) {
    case 'loading':
      return <LoadingSpinner label="Loading the playbook" layout="centered" />;
    case 'failed':
      return (
        <ErrorState title="The playbook could not be loaded">
          <Text testId="load-error">{state.message}</Text>
          <Button testId="retry" onClick={() => void load()}>
            Try again
          </Button>
        </ErrorState>
      );
    case 'ready':
      return <PlaybookReadView playbook={state.playbook} />;
  }
}

function PlaybookReadView({ playbook }: { playbook: PlaybookView }) {
  const stepTitles = new Map(playbook.steps.map((step) => [step.id, step.title]));
  return (
    <Flex direction="column" gap="md">
      <Heading testId="playbook-name">{playbook.name}</Heading>
      <Text variant="microcopy" testId="playbook-version">
        {`Version ${playbook.version}. Read-only here for now: change it with the REST API or a YAML import.`}
      </Text>
      {Object.entries(playbook.pipelines).map(([pipelineId, mapping]) => (
        <Flex key={pipelineId} direction="column" gap="xs">
          <Text format={{ fontWeight: 'demibold' }}>{`Pipeline ${pipelineId}`}</Text>
          <Table testId={`pipeline-${pipelineId}`} bordered>
            <TableHead>
              <TableRow>
                <TableHeader>Stage</TableHeader>
                <TableHeader>SOP step</TableHeader>
              </TableRow>
            </TableHead>
            <TableBody>
              {Object.entries(mapping.stages).map(([stageId, stepId]) => (
                <TableRow key={stageId}>
                  <TableCell>{stageId}</TableCell>
                  <TableCell>{stepId === null ? 'No step' : (stepTitles.get(stepId) ?? stepId)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Flex>
      ))}
      <Divider />
      {playbook.steps.map((step) => (
        <StepTile key={step.id} step={step} />
      ))}
    </Flex>
  );
}

function StepTile({ step }: { step: PlaybookViewStep }) {
  return (
    <Tile testId={`step-${step.id}`}>
      <Flex direction="column" gap="xs">
        <Heading>{step.title}</Heading>
        <Text>{step.guidance}</Text>
        <Text variant="microcopy">
          {step.stallAfterBusinessDays === undefined
            ? 'Never stalls by time in stage.'
            : `Stalls after ${step.stallAfterBusinessDays} business days in stage.`}
        </Text>
        {step.actions.length > 0 ? (
          <List testId={`step-${step.id}-actions`} variant="unordered-styled">
            {step.actions.map((action) => (
              <Text key={action.id}>{action.required ? action.title : `${action.title} (optional)`}</Text>
            ))}
          </List>
        ) : null}
        {step.checks.length > 0 ? (
          <List testId={`step-${step.id}-checks`} variant="unordered-styled">
            {step.checks.map((check) => (
              <Text key={check.id}>{`Check: ${check.title}`}</Text>
            ))}
          </List>
        ) : null}
      </Flex>
    </Tile>
  );
}

async function fetchPlaybook(client: PlaybookClient): Promise<PageState> {
  let json: unknown;
  try {
    json = await client.getPlaybook();
  } catch (error) {
    return { status: 'failed', message: error instanceof Error ? error.message : 'Something went wrong.' };
  }
  const parsed = playbookViewSchema.safeParse(json);
  return parsed.success
    ? { status: 'ready', playbook: parsed.data }
    : { status: 'failed', message: 'The SOP Guide service sent a playbook this page cannot read.' };
}
