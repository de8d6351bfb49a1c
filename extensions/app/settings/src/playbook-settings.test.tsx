import {
  Button,
  ErrorState,
  Heading,
  List,
  LoadingSpinner,
  Table,
  TableCell,
  Text,
  Tile,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import type { PlaybookClient } from './playbook-client';
import { PlaybookSettings } from './playbook-settings';

/** The playbook as `GET /api/v1/playbook` answers it: the document plus its server-assigned version. */
function buildPlaybookDocument() {
  return {
    name: 'Default sales SOP',
    version: 3,
    pipelines: { default: { stages: { qualifiedtobuy: 'qualification', closedlost: null } } },
    steps: [
      {
        id: 'qualification',
        title: 'Qualification and needs assessment',
        guidance: 'Confirm budget, authority, need and timeline before any demo.',
        stallAfterBusinessDays: 10,
        actions: [
          { id: 'discovery-call', title: 'Hold a discovery call', required: true },
          { id: 'send-recap', title: 'Send a recap email', required: false },
        ],
        checks: [{ id: 'amount-set', title: 'Amount is set', rule: { property: 'amount', present: true } }],
      },
    ],
  };
}

/** A scripted stand-in for the page's fetch wrapper: each load takes the next answer. */
function scriptedClient(...answers: Array<() => Promise<unknown>>): PlaybookClient {
  return {
    getPlaybook: () => {
      const next = answers.shift();
      return next ? next() : Promise.reject(new Error('no answer scripted'));
    },
  };
}

describe('playbook settings page', () => {
  it('shows a spinner, then the playbook read-only', async () => {
    const renderer = createRenderer('settings');
    renderer.render(<PlaybookSettings client={scriptedClient(async () => buildPlaybookDocument())} />);
    expect(renderer.find(LoadingSpinner)).toBeDefined();

    await renderer.waitFor(() =>
      expect(renderer.findByTestId(Heading, 'playbook-name').text).toBe('Default sales SOP'),
    );

    expect(renderer.findByTestId(Text, 'playbook-version').text).toContain('Version 3');
    const mapping = renderer
      .findByTestId(Table, 'pipeline-default')
      .findAll(TableCell)
      .map((cell) => cell.text);
    expect(mapping).toEqual([
      'qualifiedtobuy',
      'Qualification and needs assessment',
      'closedlost',
      'No step',
    ]);
    const stepTexts = renderer
      .findByTestId(Tile, 'step-qualification')
      .findAll(Text)
      .map((text) => text.text);
    expect(stepTexts).toContain('Stalls after 10 business days in stage.');
    const actions = renderer
      .findByTestId(List, 'step-qualification-actions')
      .findAll(Text)
      .map((item) => item.text);
    expect(actions).toEqual(['Hold a discovery call', 'Send a recap email (optional)']);
  });

  it("shows the backend's message when the playbook cannot be loaded, and loads again on retry", async () => {
    const renderer = createRenderer('settings');
    renderer.render(
      <PlaybookSettings
        client={scriptedClient(
          () => Promise.reject(new Error('SOP Guide is not installed in this portal.')),
          async () => buildPlaybookDocument(),
        )}
      />,
    );
    await renderer.waitFor(() => expect(renderer.find(ErrorState)).toBeDefined());
    expect(renderer.findByTestId(Text, 'load-error').text).toBe('SOP Guide is not installed in this portal.');

    renderer.findByTestId(Button, 'retry').trigger('onClick');

    await renderer.waitFor(() =>
      expect(renderer.findByTestId(Heading, 'playbook-name').text).toBe('Default sales SOP'),
    );
  });

  it('shows a playbook it cannot read as an error', async () => {
    const renderer = createRenderer('settings');
    renderer.render(
      <PlaybookSettings client={scriptedClient(async () => ({ name: 'No steps, no version' }))} />,
    );

    await renderer.waitFor(() => expect(renderer.find(ErrorState)).toBeDefined());
    expect(renderer.findByTestId(Text, 'load-error').text).toContain('cannot read');
  });
});
