/**
 * The deal sidebar card: fetch the deal's guidance, parse it with the shared schema, render it.
 * Rules live on the server; this component only sequences calls and keeps the screen consistent.
 * Everything it talks to comes in as props (the backend client, HubSpot's actions, the clock), which is
 * what lets tests render it with HubSpot's own renderer and a fake client.
 */
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { Alert, Button, EmptyState, ErrorState, Flex, LoadingSpinner, Text } from '@hubspot/ui-extensions';
import type { onCrmPropertiesUpdateAction } from '@hubspot/ui-extensions';
import type { BackendClient } from './backend-client';
import { actionsAsShown, initialCardState, reduceCardState } from './card-state';
import type { CardNotice } from './card-state';
import { GUIDANCE_INPUT_PROPERTIES } from './guidance-input-properties';
import { guidanceResponseSchema } from './guidance-response.schema';
import type { GuidanceAction, GuidanceResponse } from './guidance-response.schema';
import { ExceptionBanner } from './exception-banner';
import { GuidanceView } from './guidance-view';
import { SNOOZE_DAYS, StallWarning } from './stall-warning';

const MS_PER_DAY = 24 * 60 * 60 * 1000;

export interface DealSopCardProps {
  dealId: string;
  client: BackendClient;
  onCrmPropertiesUpdate: onCrmPropertiesUpdateAction;
  now?: () => Date;
}

export function DealSopCard({
  dealId,
  client,
  onCrmPropertiesUpdate,
  now = () => new Date(),
}: DealSopCardProps) {
  const [state, dispatch] = useReducer(reduceCardState, initialCardState);
  // Each load gets a number; only the latest may land, so a slow answer never overwrites a newer one.
  const latestLoadId = useRef(0);
  const mounted = useRef(true);

  const load = useCallback(
    async (mode: 'foreground' | 'background') => {
      const loadId = ++latestLoadId.current;
      if (mode === 'foreground') {
        dispatch({ type: 'load-started' });
      }
      const result = await fetchGuidance(() => client.getGuidance(dealId));
      if (!mounted.current || loadId !== latestLoadId.current) {
        return;
      }
      dispatch(
        result.ok
          ? { type: 'loaded', guidance: result.guidance }
          : { type: 'load-failed', message: result.message },
      );
    },
    [client, dealId],
  );

  useEffect(() => {
    mounted.current = true;
    void load('foreground');
    return () => {
      mounted.current = false;
    };
  }, [load]);

  // HubSpot offers no way to unsubscribe, so subscribe once and always call the latest `load`.
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    onCrmPropertiesUpdate([...GUIDANCE_INPUT_PROPERTIES], () => {
      void loadRef.current('background');
    });
  }, [onCrmPropertiesUpdate]);

  const toggleAction = async (action: GuidanceAction, done: boolean) => {
    dispatch({ type: 'toggle-started', actionId: action.id, done });
    const result = await fetchGuidance(() => client.setActionDone(dealId, action.id, done));
    if (!mounted.current) {
      return;
    }
    if (result.ok) {
      // The save's answer is newer than any load already in flight: drop those.
      latestLoadId.current++;
      dispatch({ type: 'toggle-saved', actionId: action.id, guidance: result.guidance });
    } else {
      dispatch({
        type: 'toggle-failed',
        actionId: action.id,
        actionTitle: action.title,
        message: result.message,
      });
    }
  };

  const snooze = async (reason: string): Promise<string | null> => {
    const until = new Date(now().getTime() + SNOOZE_DAYS * MS_PER_DAY).toISOString();
    const result = await fetchGuidance(() => client.snoozeStall(dealId, { until, reason }));
    if (!result.ok) {
      return result.message;
    }
    if (mounted.current) {
      latestLoadId.current++;
      dispatch({ type: 'snoozed', guidance: result.guidance });
    }
    return null;
  };

  /** Sent to the server, then the guidance is read again: the server owns the exception's status. */
  const settleException = async (send: () => Promise<unknown>): Promise<string | null> => {
    try {
      await send();
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    if (mounted.current) await load('background');
    return null;
  };
  const justify = (exceptionId: string, reason: string) =>
    settleException(() => client.justifyException(exceptionId, { reason }));
  const decide = (exceptionId: string, decision: 'approve' | 'reject') =>
    settleException(() => client.decideException(exceptionId, { decision }));

  switch (state.status) {
    case 'loading':
      return <LoadingSpinner label="Loading the SOP for this deal" layout="centered" />;
    case 'failed':
      return (
        <ErrorState title="The SOP for this deal could not be loaded">
          <Text testId="load-error">{state.message}</Text>
          <Button testId="retry" onClick={() => void load('foreground')}>
            Try again
          </Button>
        </ErrorState>
      );
    case 'ready': {
      const { guidance, pendingDone, notice } = state;
      return (
        <Flex direction="column" gap="sm">
          {notice ? (
            <NoticeAlert notice={notice} onDismiss={() => dispatch({ type: 'notice-dismissed' })} />
          ) : null}
          <ExceptionBanner exceptions={guidance.exceptions ?? []} onJustify={justify} onDecide={decide} />
          {guidance.step === null ? (
            <NoStep guidance={guidance} />
          ) : (
            <GuidanceView
              guidance={guidance}
              step={guidance.step}
              actions={actionsAsShown(guidance.actions, pendingDone)}
              savingActionIds={new Set(Object.keys(pendingDone))}
              onToggleAction={(action, done) => void toggleAction(action, done)}
            />
          )}
          <StallWarning stall={guidance.stall} stageLabel={guidance.stage.label} onSnooze={snooze} />
        </Flex>
      );
    }
  }
}

function NoStep({ guidance }: { guidance: GuidanceResponse }) {
  return (
    <EmptyState title={`No SOP step for ${guidance.stage.label}`} layout="vertical" imageWidth={120}>
      <Text testId="no-step-reason">{guidance.reason ?? 'The playbook maps no SOP step to this stage.'}</Text>
    </EmptyState>
  );
}

function NoticeAlert({ notice, onDismiss }: { notice: CardNotice; onDismiss: () => void }) {
  const title =
    notice.kind === 'save-failed'
      ? `"${notice.actionTitle}" was not saved`
      : 'The SOP could not be refreshed';
  return (
    <Flex direction="column" gap="xs">
      <Alert testId="notice" variant="danger" title={title}>
        {notice.kind === 'save-failed'
          ? `${notice.message} The checklist shows what is saved.`
          : notice.message}
      </Alert>
      <Button testId="notice-dismiss" variant="transparent" size="xs" onClick={onDismiss}>
        Dismiss
      </Button>
    </Flex>
  );
}

type FetchResult = { ok: true; guidance: GuidanceResponse } | { ok: false; message: string };

/** Runs one backend call and parses its answer at the edge: past this point the guidance is trusted. */
async function fetchGuidance(call: () => Promise<unknown>): Promise<FetchResult> {
  let json: unknown;
  try {
    json = await call();
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : 'Something went wrong.' };
  }
  const parsed = guidanceResponseSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` (${issue.path.join('.')}: ${issue.message})` : '';
    return {
      ok: false,
      message: `The SOP Guide service sent an answer this card cannot read${where}. Ask your admin to update the app.`,
    };
  }
  return { ok: true, guidance: parsed.data };
}
