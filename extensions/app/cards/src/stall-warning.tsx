/**
 * The stall warning and its snooze. The server decides whether the deal is stalled; the card only shows
 * it and lets the rep silence it for a week, with a reason the manager can read later.
 */
import { useState } from 'react';
import { Alert, Button, ButtonRow, Flex, Text, TextArea } from '@hubspot/ui-extensions';
import type { StallStatus } from './guidance-response.schema';

export const SNOOZE_DAYS = 7;

export interface StallWarningProps {
  stall: StallStatus;
  stageLabel: string;
  /** Resolves to null once snoozed, or to the message saying why the snooze failed. */
  onSnooze: (reason: string) => Promise<string | null>;
}

export function StallWarning({ stall, stageLabel, onSnooze }: StallWarningProps) {
  if (!stall.stalled) {
    return <StallClockNote stall={stall} />;
  }
  const days = Math.floor(stall.daysInStage);
  return (
    <Flex direction="column" gap="xs">
      <Alert testId="stall-warning" variant="warning" title={`Stalled: ${days} days in ${stageLabel}`}>
        {describeStall(stall)}
      </Alert>
      <SnoozeForm onSnooze={onSnooze} />
    </Flex>
  );
}

const STALL_REASON_WORDING: Record<string, string> = {
  'in-stage-too-long': 'It has been in this stage longer than the SOP allows.',
  'no-activity': 'No activity has been logged on it recently.',
};

function describeStall(stall: StallStatus): string {
  const threshold =
    stall.thresholdDays === null
      ? 'The SOP sets no time limit for this stage.'
      : `The SOP expects at most ${stall.thresholdDays} days in this stage.`;
  if (!stall.reason) {
    return threshold;
  }
  return `${threshold} ${STALL_REASON_WORDING[stall.reason] ?? stall.reason}`;
}

function StallClockNote({ stall }: { stall: StallStatus }) {
  if (stall.snoozedUntil) {
    return (
      <Text variant="microcopy" testId="stall-note">
        {`Stall warning snoozed until ${stall.snoozedUntil.slice(0, 10)}.`}
      </Text>
    );
  }
  if (stall.pausedUntil) {
    return (
      <Text variant="microcopy" testId="stall-note">
        {`Stall clock paused until ${stall.pausedUntil.slice(0, 10)}: an activity is scheduled.`}
      </Text>
    );
  }
  return null;
}

type SnoozeFormState =
  | { step: 'closed' }
  | { step: 'editing'; reason: string; error: string | null }
  | { step: 'saving'; reason: string };

function SnoozeForm({ onSnooze }: { onSnooze: (reason: string) => Promise<string | null> }) {
  const [form, setForm] = useState<SnoozeFormState>({ step: 'closed' });

  if (form.step === 'closed') {
    return (
      <Button
        testId="snooze-open"
        variant="secondary"
        onClick={() => setForm({ step: 'editing', reason: '', error: null })}
      >
        Snooze
      </Button>
    );
  }

  const submit = async (reason: string) => {
    setForm({ step: 'saving', reason });
    const error = await onSnooze(reason.trim());
    // On success the parent re-renders with the snoozed stall; the form only has to close.
    setForm(error === null ? { step: 'closed' } : { step: 'editing', reason, error });
  };
  const saving = form.step === 'saving';

  return (
    <Flex direction="column" gap="xs">
      <TextArea
        testId="snooze-reason"
        name="snooze-reason"
        label={`Why snooze this warning for ${SNOOZE_DAYS} days?`}
        required
        readOnly={saving}
        value={form.reason}
        onChange={(reason) => setForm(saving ? form : { step: 'editing', reason, error: null })}
      />
      {form.step === 'editing' && form.error ? (
        <Alert testId="snooze-error" variant="danger" title="Snooze not saved">
          {form.error}
        </Alert>
      ) : null}
      <ButtonRow>
        <Button
          testId="snooze-submit"
          variant="primary"
          disabled={saving || form.reason.trim().length === 0}
          onClick={() => void submit(form.reason)}
        >
          {`Snooze ${SNOOZE_DAYS} days`}
        </Button>
        <Button
          testId="snooze-cancel"
          variant="secondary"
          disabled={saving}
          onClick={() => setForm({ step: 'closed' })}
        >
          Cancel
        </Button>
      </ButtonRow>
    </Flex>
  );
}
