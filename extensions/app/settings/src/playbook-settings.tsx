/**
 * The app's settings page: loads the portal's playbook and hands it to the editor, read-only for users
 * who may not publish (the server says who may, and why not).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, ErrorState, LoadingSpinner, Text } from '@hubspot/ui-extensions';
import { playbookResponseSchema, type PlaybookResponse } from './playbook-api.schema';
import type { PlaybookClient } from './playbook-client';
import { PlaybookEditor } from './playbook-editor';

type PageState =
  | { status: 'loading' }
  | { status: 'failed'; message: string }
  | { status: 'ready'; answer: PlaybookResponse; loadId: number };

export interface PlaybookSettingsProps {
  client: PlaybookClient;
}

export function PlaybookSettings({ client }: PlaybookSettingsProps) {
  const [state, setState] = useState<PageState>({ status: 'loading' });
  const latestLoadId = useRef(0);

  const load = useCallback(async () => {
    const loadId = ++latestLoadId.current;
    setState({ status: 'loading' });
    const next = await fetchPlaybook(client, loadId);
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
      return <PlaybookEditor key={state.loadId} answer={state.answer} client={client} />;
  }
}

async function fetchPlaybook(client: PlaybookClient, loadId: number): Promise<PageState> {
  let json: unknown;
  try {
    json = await client.getPlaybook();
  } catch (error) {
    return { status: 'failed', message: error instanceof Error ? error.message : 'Something went wrong.' };
  }
  const parsed = playbookResponseSchema.safeParse(json);
  return parsed.success
    ? { status: 'ready', answer: parsed.data, loadId }
    : { status: 'failed', message: 'The SOP Guide service sent a playbook this page cannot read.' };
}
