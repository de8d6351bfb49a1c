/**
 * The SOP step for the deal's stage, as the server evaluated it. Pure rendering: every verdict shown here
 * (checks, progress, readiness, blockers) comes from the response; the card computes none of them.
 */
import {
  Checkbox,
  Divider,
  Flex,
  Heading,
  Link,
  List,
  ProgressBar,
  StatusTag,
  Text,
} from '@hubspot/ui-extensions';
import type {
  GuidanceAction,
  GuidanceCheck,
  GuidanceResponse,
  GuidanceStep,
} from './guidance-response.schema';

export interface GuidanceViewProps {
  guidance: GuidanceResponse;
  step: GuidanceStep;
  /** The checklist with any ticks still being saved laid over it. */
  actions: GuidanceAction[];
  savingActionIds: ReadonlySet<string>;
  onToggleAction: (action: GuidanceAction, done: boolean) => void;
}

export function GuidanceView({
  guidance,
  step,
  actions,
  savingActionIds,
  onToggleAction,
}: GuidanceViewProps) {
  return (
    <Flex direction="column" gap="sm">
      <Heading testId="step-title">{step.title}</Heading>
      <Text variant="microcopy" testId="stage-label">
        {`Stage: ${guidance.stage.label} · Playbook v${step.playbookVersion}`}
      </Text>
      <Text testId="step-guidance">{step.guidance}</Text>
      {step.sopUrl ? (
        <Link href={{ url: step.sopUrl, external: true }} testId="sop-link">
          Read the full SOP
        </Link>
      ) : null}

      {actions.length > 0 ? (
        <>
          <Divider />
          <Text format={{ fontWeight: 'demibold' }}>Actions</Text>
          {actions.map((action) => (
            <ActionCheckbox
              key={action.id}
              action={action}
              saving={savingActionIds.has(action.id)}
              onToggle={onToggleAction}
            />
          ))}
        </>
      ) : null}

      {guidance.checks.length > 0 ? (
        <>
          <Divider />
          <Text format={{ fontWeight: 'demibold' }}>Compliance checks</Text>
          {guidance.checks.map((check) => (
            <CheckRow key={check.id} check={check} />
          ))}
        </>
      ) : null}

      <Divider />
      <ProgressBar
        testId="progress"
        title="Progress"
        value={guidance.progress.done}
        maxValue={guidance.progress.total}
        valueDescription={`${guidance.progress.done} of ${guidance.progress.total} done`}
        variant={guidance.readyToAdvance ? 'success' : 'warning'}
      />
      <Readiness readyToAdvance={guidance.readyToAdvance} blockers={guidance.blockers} />
    </Flex>
  );
}

function ActionCheckbox({
  action,
  saving,
  onToggle,
}: {
  action: GuidanceAction;
  saving: boolean;
  onToggle: (action: GuidanceAction, done: boolean) => void;
}) {
  return (
    <Checkbox
      testId={`action-${action.id}`}
      name={`action-${action.id}`}
      checked={action.done}
      // A second click while the first is saving would race it on the server: wait for the answer.
      readOnly={saving}
      description={describeAction(action, saving)}
      onChange={(checked) => onToggle(action, checked)}
    >
      {action.required ? action.title : `${action.title} (optional)`}
    </Checkbox>
  );
}

function describeAction(action: GuidanceAction, saving: boolean): string | undefined {
  if (saving) {
    return 'Saving…';
  }
  if (action.done && action.doneBy) {
    const who = action.doneBy.email ?? `user ${action.doneBy.userId}`;
    return action.doneAt ? `Done by ${who} on ${action.doneAt.slice(0, 10)}` : `Done by ${who}`;
  }
  return undefined;
}

function CheckRow({ check }: { check: GuidanceCheck }) {
  return (
    <Flex direction="column" gap="flush">
      <Flex direction="row" gap="xs" align="center">
        <StatusTag testId={`check-${check.id}`} variant={check.passed ? 'success' : 'danger'}>
          {check.passed ? 'Passed' : 'Missing'}
        </StatusTag>
        <Text>{check.title}</Text>
      </Flex>
      {!check.passed && check.detail ? (
        <Text variant="microcopy" testId={`check-${check.id}-detail`}>
          {check.detail}
        </Text>
      ) : null}
    </Flex>
  );
}

function Readiness({ readyToAdvance, blockers }: { readyToAdvance: boolean; blockers: string[] }) {
  if (readyToAdvance) {
    return (
      <StatusTag testId="readiness" variant="success">
        Ready to advance
      </StatusTag>
    );
  }
  return (
    <Flex direction="column" gap="xs">
      <StatusTag testId="readiness" variant="warning">
        Not ready to advance
      </StatusTag>
      {blockers.length > 0 ? (
        <List testId="blockers" variant="unordered-styled">
          {blockers.map((blocker) => (
            <Text key={blocker}>{blocker}</Text>
          ))}
        </List>
      ) : null}
    </Flex>
  );
}
