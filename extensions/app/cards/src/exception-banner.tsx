/**
 * The deal's open exceptions (DESIGN.md §7): it moved on with its SOP unmet. The server judged the move
 * and lists what was open; the card shows it, newest first, takes the owner's reason for a `justify`
 * exception and a manager's decision for an `approve` one (the server decides who may give either).
 */
import { useState } from 'react';
import { Alert, Button, ButtonRow, Flex, List, Text, TextArea } from '@hubspot/ui-extensions';
import type { DealExceptionView } from './guidance-response.schema';

export interface ExceptionBannerProps {
  exceptions: readonly DealExceptionView[];
  /** Resolves to null once the reason is saved, or to the message saying why it was not. */
  onJustify: (exceptionId: string, reason: string) => Promise<string | null>;
  /** Like onJustify, for a manager's decision; the server refuses anyone else. */
  onDecide: (exceptionId: string, decision: 'approve' | 'reject') => Promise<string | null>;
}

export function ExceptionBanner({ exceptions, onJustify, onDecide }: ExceptionBannerProps) {
  const open = exceptions.filter((exception) => exception.status === 'open');
  if (open.length === 0) return null;
  return (
    <Flex direction="column" gap="xs">
      {open.map((exception) => (
        <Flex key={exception.id} direction="column" gap="xs">
          <Alert
            testId="exception-banner"
            variant="danger"
            title={`Moved on from ${exception.fromStage} with the SOP unmet`}
          >
            <Text>{`Moved to ${exception.toStage} on ${exception.movedAt.slice(0, 10)} with ${describeCount(exception.openItems.length)} open:`}</Text>
            <List variant="unordered">
              {exception.openItems.map((item) => (
                <Text key={`${item.stepId ?? ''}/${item.kind}/${item.id}`}>
                  {item.detail ? `${item.title} (${item.detail})` : item.title}
                </Text>
              ))}
            </List>
          </Alert>
          {exception.mode === 'justify' ? (
            <JustifyForm onJustify={(reason) => onJustify(exception.id, reason)} />
          ) : null}
          {exception.mode === 'approve' ? (
            <DecisionButtons onDecide={(decision) => onDecide(exception.id, decision)} />
          ) : null}
        </Flex>
      ))}
    </Flex>
  );
}

function describeCount(count: number): string {
  return count === 1 ? '1 item' : `${count} items`;
}

type JustifyFormState = { saving: boolean; reason: string; error: string | null };

function JustifyForm({ onJustify }: { onJustify: (reason: string) => Promise<string | null> }) {
  const [form, setForm] = useState<JustifyFormState>({ saving: false, reason: '', error: null });
  const submit = async () => {
    setForm({ ...form, saving: true, error: null });
    const error = await onJustify(form.reason.trim());
    // On success the card reloads and the exception is no longer open: the form goes with it.
    setForm({ saving: false, reason: form.reason, error });
  };
  return (
    <Flex direction="column" gap="xs">
      <TextArea
        testId="justify-reason"
        name="justify-reason"
        label="Why did this deal move on before the SOP was met?"
        required
        readOnly={form.saving}
        value={form.reason}
        onChange={(reason) => setForm(form.saving ? form : { saving: false, reason, error: null })}
      />
      {form.error ? (
        <Alert testId="justify-error" variant="danger" title="Reason not saved">
          {form.error}
        </Alert>
      ) : null}
      <Button
        testId="justify-submit"
        variant="primary"
        disabled={form.saving || form.reason.trim().length === 0}
        onClick={() => void submit()}
      >
        Give the reason
      </Button>
    </Flex>
  );
}

function DecisionButtons({
  onDecide,
}: {
  onDecide: (decision: 'approve' | 'reject') => Promise<string | null>;
}) {
  const [state, setState] = useState<{ saving: boolean; error: string | null }>({
    saving: false,
    error: null,
  });
  const submit = async (decision: 'approve' | 'reject') => {
    setState({ saving: true, error: null });
    setState({ saving: false, error: await onDecide(decision) });
  };
  return (
    <Flex direction="column" gap="xs">
      <Text variant="microcopy">A manager approves this move, or rejects it and the deal moves back.</Text>
      {state.error ? (
        <Alert testId="decision-error" variant="danger" title="Decision not saved">
          {state.error}
        </Alert>
      ) : null}
      <ButtonRow>
        <Button testId="approve-exception" disabled={state.saving} onClick={() => void submit('approve')}>
          Approve
        </Button>
        <Button
          testId="reject-exception"
          variant="destructive"
          disabled={state.saving}
          onClick={() => void submit('reject')}
        >
          Reject and move back
        </Button>
      </ButtonRow>
    </Flex>
  );
}
