/**
 * A step's enforcement (DESIGN.md §7): what the app does when a deal leaves the step with required
 * actions open or checks failing. Each mode is explained in plain words next to its choice; what a
 * valid setting is stays the server's to say, by the field's path.
 */
import { Flex, Input, NumberInput, Text, ToggleGroup } from '@hubspot/ui-extensions';
import { ENFORCEMENT_MODES, type EnforcementModeName, type PlaybookIssue } from './playbook-api.schema';
import { findIssue, updateEnforcement, type DraftStep, type PlaybookDraft } from './playbook-draft';

const MODE_CHOICES: Record<EnforcementModeName, { label: string; description: string }> = {
  advisory: {
    label: 'Advisory',
    description:
      'The move is recorded and shown on the deal, and counted in reports. Nothing else happens. (Default.)',
  },
  justify: {
    label: 'Ask for a reason',
    description:
      "The deal's owner is asked, in the deal card, why the deal moved on. With no reason in time, their manager gets a HubSpot task.",
  },
  approve: {
    label: 'Manager approval',
    description:
      'A manager approves or rejects the move in the deal card. A rejection moves the deal back to this stage.',
  },
  revert: {
    label: 'Move back',
    description:
      "The deal is moved back to this stage at once and its owner gets a task listing what is missing. A move into closed won or lost waits for a manager's approval instead.",
  },
};

export interface EnforcementEditorProps {
  step: DraftStep;
  stepIndex: number;
  issues: PlaybookIssue[];
  readOnly: boolean;
  onEdit: (edit: (draft: PlaybookDraft) => PlaybookDraft) => void;
}

export function EnforcementEditor({ step, stepIndex, issues, readOnly, onEdit }: EnforcementEditorProps) {
  const at = `steps.${stepIndex}.enforcement`;
  const testId = (suffix: string) => `step-${stepIndex}-enforcement-${suffix}`;
  const issueProps = (path: string, nested = false) => {
    const message = findIssue(issues, path, nested);
    return { error: message !== undefined, validationMessage: message };
  };
  const mode = step.enforcement?.mode ?? 'advisory';
  const modeIssue = findIssue(issues, at) ?? findIssue(issues, `${at}.mode`);

  return (
    <Flex direction="column" gap="xs">
      <Text format={{ fontWeight: 'demibold' }}>When a deal leaves this step with its SOP unmet</Text>
      <ToggleGroup
        testId={testId('mode')}
        toggleType="radioButtonList"
        name={`${at}.mode`}
        label="Enforcement"
        value={mode}
        error={modeIssue !== undefined}
        validationMessage={modeIssue}
        options={ENFORCEMENT_MODES.map((value) => ({
          value,
          label: MODE_CHOICES[value].label,
          description: MODE_CHOICES[value].description,
          readOnly,
        }))}
        onChange={(value: string) => onEdit((draft) => updateEnforcement(draft, stepIndex, { mode: value }))}
      />
      {mode === 'justify' ? (
        <NumberInput
          testId={testId('justify-hours')}
          label="Reason due within (business hours)"
          name={`${at}.justifyWithinBusinessHours`}
          value={step.enforcement?.justifyWithinBusinessHours}
          readOnly={readOnly}
          description="Counted in the portal's business hours; leave empty for 8."
          {...issueProps(`${at}.justifyWithinBusinessHours`)}
          onChange={(value) =>
            onEdit((draft) =>
              updateEnforcement(draft, stepIndex, {
                justifyWithinBusinessHours: Number.isFinite(value) ? value : undefined,
              }),
            )
          }
        />
      ) : null}
      <Input
        testId={testId('exempt')}
        label="Exempt users (HubSpot user ids)"
        name={`${at}.exemptUserIds`}
        value={step.enforcement?.exemptUserIdsText ?? ''}
        readOnly={readOnly}
        description="Moves by these users create no exception, e.g. ops staff fixing data. Separate ids with commas."
        {...issueProps(`${at}.exemptUserIds`, true)}
        onChange={(value) =>
          onEdit((draft) => updateEnforcement(draft, stepIndex, { exemptUserIdsText: value }))
        }
      />
    </Flex>
  );
}
