/**
 * One SOP step: title, guidance, stall threshold, the checklist's actions, the automatic checks and
 * what happens when a deal leaves the step with them unmet.
 */
import {
  Button,
  Flex,
  Heading,
  Input,
  NumberInput,
  Text,
  TextArea,
  Tile,
  Toggle,
} from '@hubspot/ui-extensions';
import { EnforcementEditor } from './enforcement-editor';
import type { PlaybookIssue } from './playbook-api.schema';
import {
  addAction,
  addCheck,
  findIssue,
  removeAction,
  removeCheck,
  setStallThreshold,
  updateAction,
  updateCheck,
  updateStep,
  type DraftStep,
  type PlaybookDraft,
} from './playbook-draft';

export interface StepEditorProps {
  step: DraftStep;
  stepIndex: number;
  issues: PlaybookIssue[];
  readOnly: boolean;
  /** Applies an edit to the whole draft (the edit helpers need it to keep ids unique). */
  onEdit: (edit: (draft: PlaybookDraft) => PlaybookDraft) => void;
}

export function StepEditor({ step, stepIndex, issues, readOnly, onEdit }: StepEditorProps) {
  const at = `steps.${stepIndex}`;
  const testId = (suffix: string) => `step-${stepIndex}-${suffix}`;
  /** Props that show the server's message for `path` next to the field. */
  const issueProps = (path: string, nested = false) => {
    const message = findIssue(issues, path, nested);
    return { error: message !== undefined, validationMessage: message };
  };

  return (
    <Tile testId={`step-${stepIndex}`}>
      <Flex direction="column" gap="sm">
        <Heading>{step.title || step.id}</Heading>
        <Input
          testId={testId('id')}
          label="Step id"
          name={`${at}.id`}
          value={step.id}
          readOnly={readOnly}
          description="Stages map to this id; letters, digits and dashes."
          {...issueProps(`${at}.id`)}
          onChange={(value) => onEdit((draft) => updateStep(draft, stepIndex, { id: value }))}
        />
        <Input
          testId={testId('title')}
          label="Title"
          name={`${at}.title`}
          value={step.title}
          readOnly={readOnly}
          {...issueProps(`${at}.title`)}
          onChange={(value) => onEdit((draft) => updateStep(draft, stepIndex, { title: value }))}
        />
        <TextArea
          testId={testId('guidance')}
          label="Guidance for the rep"
          name={`${at}.guidance`}
          value={step.guidance}
          readOnly={readOnly}
          rows={4}
          {...issueProps(`${at}.guidance`)}
          onChange={(value) => onEdit((draft) => updateStep(draft, stepIndex, { guidance: value }))}
        />
        <NumberInput
          testId={testId('stall')}
          label="Stalled after (business days in stage)"
          name={`${at}.stallAfterBusinessDays`}
          value={step.stallAfterBusinessDays}
          readOnly={readOnly}
          description="Leave empty for a step that never stalls by time in stage."
          {...issueProps(`${at}.stallAfterBusinessDays`)}
          onChange={(value) =>
            onEdit((draft) => setStallThreshold(draft, stepIndex, Number.isFinite(value) ? value : undefined))
          }
        />

        <Text format={{ fontWeight: 'demibold' }}>Checklist actions</Text>
        {step.actions.length === 0 ? <Text variant="microcopy">No actions.</Text> : null}
        {step.actions.map((action, actionIndex) => {
          const path = `${at}.actions.${actionIndex}`;
          const actionTestId = (suffix: string) => testId(`action-${actionIndex}-${suffix}`);
          return (
            <Flex key={actionIndex} direction="row" gap="sm" align="end" wrap="wrap">
              <Input
                testId={actionTestId('title')}
                label="Action"
                name={`${path}.title`}
                value={action.title}
                readOnly={readOnly}
                {...issueProps(`${path}.title`)}
                onChange={(value) =>
                  onEdit((draft) => updateAction(draft, stepIndex, actionIndex, { title: value }))
                }
              />
              <Input
                testId={actionTestId('id')}
                label="Id"
                name={`${path}.id`}
                value={action.id}
                readOnly={readOnly}
                {...issueProps(`${path}.id`)}
                onChange={(value) =>
                  onEdit((draft) => updateAction(draft, stepIndex, actionIndex, { id: value }))
                }
              />
              <Toggle
                testId={actionTestId('required')}
                label="Required"
                checked={action.required}
                readOnly={readOnly}
                onChange={(checked) =>
                  onEdit((draft) => updateAction(draft, stepIndex, actionIndex, { required: checked }))
                }
              />
              {readOnly ? null : (
                <Button
                  testId={actionTestId('remove')}
                  variant="transparent"
                  size="sm"
                  onClick={() => onEdit((draft) => removeAction(draft, stepIndex, actionIndex))}
                >
                  Remove
                </Button>
              )}
            </Flex>
          );
        })}
        {readOnly ? null : (
          <Button
            testId={testId('add-action')}
            size="sm"
            onClick={() => onEdit((draft) => addAction(draft, stepIndex))}
          >
            Add action
          </Button>
        )}

        <Text format={{ fontWeight: 'demibold' }}>Automatic checks</Text>
        {step.checks.length === 0 ? <Text variant="microcopy">No checks.</Text> : null}
        {step.checks.map((check, checkIndex) => {
          const path = `${at}.checks.${checkIndex}`;
          const checkTestId = (suffix: string) => testId(`check-${checkIndex}-${suffix}`);
          return (
            <Flex key={checkIndex} direction="column" gap="xs">
              <Input
                testId={checkTestId('title')}
                label="Check"
                name={`${path}.title`}
                value={check.title}
                readOnly={readOnly}
                {...issueProps(`${path}.title`)}
                onChange={(value) =>
                  onEdit((draft) => updateCheck(draft, stepIndex, checkIndex, { title: value }))
                }
              />
              <Input
                testId={checkTestId('id')}
                label="Id"
                name={`${path}.id`}
                value={check.id}
                readOnly={readOnly}
                {...issueProps(`${path}.id`)}
                onChange={(value) =>
                  onEdit((draft) => updateCheck(draft, stepIndex, checkIndex, { id: value }))
                }
              />
              <TextArea
                testId={checkTestId('rule')}
                label="Rule (JSON or YAML)"
                name={`${path}.rule`}
                value={check.ruleText}
                readOnly={readOnly}
                rows={2}
                description='e.g. {"property": "amount", "gt": 0} or {"associated": "contacts", "min": 1}'
                {...issueProps(`${path}.rule`, true)}
                onChange={(value) =>
                  onEdit((draft) => updateCheck(draft, stepIndex, checkIndex, { ruleText: value }))
                }
              />
              {readOnly ? null : (
                <Button
                  testId={checkTestId('remove')}
                  variant="transparent"
                  size="sm"
                  onClick={() => onEdit((draft) => removeCheck(draft, stepIndex, checkIndex))}
                >
                  Remove check
                </Button>
              )}
            </Flex>
          );
        })}
        {readOnly ? null : (
          <Button
            testId={testId('add-check')}
            size="sm"
            onClick={() => onEdit((draft) => addCheck(draft, stepIndex))}
          >
            Add check
          </Button>
        )}

        <EnforcementEditor
          step={step}
          stepIndex={stepIndex}
          issues={issues}
          readOnly={readOnly}
          onEdit={onEdit}
        />
      </Flex>
    </Tile>
  );
}
