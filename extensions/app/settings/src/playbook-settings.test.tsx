import {
  Alert,
  Button,
  ErrorState,
  Heading,
  Input,
  LoadingSpinner,
  NumberInput,
  Select,
  Table,
  TableCell,
  TableRow,
  Text,
  TextArea,
  Toggle,
  ToggleGroup,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { PlaybookSettings } from './playbook-settings';
import { FakePlaybookClient, answer, failure } from './testing/fake-playbook-client';
import {
  buildEnforcementPreviewAnswer,
  buildPlaybookAnswer,
  buildPreviewAnswer,
  buildPublishAnswer,
  buildVersionsAnswer,
} from './testing/playbook.builders';

/** The renderer waits 1 s by default; a loaded CI machine can take longer to render. It bounds a hang, not speed. */
const RENDER_WAIT = { timeoutInMs: 10_000 };

// The renderer types an event's argument as the handler itself; at runtime it passes the value through.
function triggerWith(node: { trigger: unknown }, eventName: string, value?: unknown) {
  (node.trigger as (name: string, arg: unknown) => void)(eventName, value);
}

function editorClient(playbook = buildPlaybookAnswer()) {
  return new FakePlaybookClient()
    .script('getPlaybook', answer(playbook))
    .alwaysListVersions(buildVersionsAnswer(3, 2, 1));
}

async function renderLoaded(client: FakePlaybookClient) {
  const renderer = createRenderer('settings');
  renderer.render(<PlaybookSettings client={client} />);
  await renderer.waitFor(() => expect(renderer.maybeFind(LoadingSpinner)).toBeNull(), RENDER_WAIT);
  await renderer.waitFor(
    () => expect(renderer.maybeFindByTestId(Table, 'version-history')).not.toBeNull(),
    RENDER_WAIT,
  );
  return renderer;
}

type Renderer = Awaited<ReturnType<typeof renderLoaded>>;

/** The lines of text inside a node (an element's own `text` is null once it has element children). */
const linesOf = (node: { findAll: Renderer['findAll'] }) => node.findAll(Text).map((text) => text.text);

const rowsOf = (renderer: Renderer, tableTestId: string) =>
  renderer
    .findByTestId(Table, tableTestId)
    .findAll(TableRow)
    .slice(1)
    .map((row) => row.findAll(TableCell).map((cell) => cell.text));

describe('playbook settings page', () => {
  describe('loading', () => {
    it('shows a spinner, then the playbook with its stage mapping, steps and version history', async () => {
      const client = editorClient();
      const renderer = createRenderer('settings');
      renderer.render(<PlaybookSettings client={client} />);
      expect(renderer.find(LoadingSpinner)).toBeDefined();

      await renderer.waitFor(
        () => expect(renderer.findByTestId(Heading, 'playbook-name').text).toBe('Default sales SOP'),
        RENDER_WAIT,
      );
      expect(renderer.findByTestId(Text, 'playbook-version').text).toBe(
        'Version 3, published 2026-11-20 by user 501.',
      );
      expect(renderer.findByTestId(Select, 'pipeline-select').props.value).toBe('default');
      // HubSpot's stages in order: an unmapped stage, a mapped one, and one mapped to no step.
      expect(renderer.findByTestId(Select, 'stage-appointmentscheduled').props.value).toBe('__unmapped__');
      expect(renderer.findByTestId(Select, 'stage-qualifiedtobuy').props.value).toBe('qualification');
      expect(renderer.findByTestId(Select, 'stage-closedlost').props.value).toBe('__none__');
      expect(renderer.findByTestId(Input, 'step-0-title').props.value).toBe(
        'Qualification and needs assessment',
      );
      expect(renderer.findByTestId(NumberInput, 'step-0-stall').props.value).toBe(10);
      expect(renderer.findByTestId(Toggle, 'step-0-action-1-required').props.checked).toBe(false);
      expect(renderer.findByTestId(TextArea, 'step-0-check-0-rule').props.value).toBe(
        '{"property":"amount","gt":0}',
      );
      await renderer.waitFor(
        () => expect(rowsOf(renderer, 'version-history').map((row) => row[0])).toEqual(['3', '2', '1']),
        RENDER_WAIT,
      );
      expect(renderer.maybeFind(Alert, { testId: 'read-only' })).toBeNull();
    });

    it("shows the backend's message when the playbook cannot be loaded, and loads again on retry", async () => {
      const client = new FakePlaybookClient()
        .script(
          'getPlaybook',
          failure('SOP Guide is not installed in this portal.'),
          answer(buildPlaybookAnswer()),
        )
        .alwaysListVersions(buildVersionsAnswer(3));
      const renderer = createRenderer('settings');
      renderer.render(<PlaybookSettings client={client} />);
      await renderer.waitFor(() => expect(renderer.find(ErrorState)).toBeDefined(), RENDER_WAIT);
      expect(renderer.findByTestId(Text, 'load-error').text).toBe(
        'SOP Guide is not installed in this portal.',
      );

      renderer.findByTestId(Button, 'retry').trigger('onClick');

      await renderer.waitFor(
        () => expect(renderer.findByTestId(Heading, 'playbook-name').text).toBe('Default sales SOP'),
        RENDER_WAIT,
      );
    });

    it('shows a playbook it cannot read as an error', async () => {
      const client = new FakePlaybookClient().script('getPlaybook', answer({ name: 'No steps, no version' }));
      const renderer = createRenderer('settings');
      renderer.render(<PlaybookSettings client={client} />);

      await renderer.waitFor(() => expect(renderer.find(ErrorState)).toBeDefined(), RENDER_WAIT);
      expect(renderer.findByTestId(Text, 'load-error').text).toContain('cannot read');
    });
  });

  describe('editing and publishing', () => {
    it('publishes the edited mapping, step, actions and checks, with the note and the apply toggle', async () => {
      const client = editorClient().script(
        'publishPlaybook',
        answer(buildPublishAnswer(4, { dealsRepinned: 7, name: 'Published name' })),
      );
      const renderer = await renderLoaded(client);

      triggerWith(renderer.findByTestId(Select, 'stage-appointmentscheduled'), 'onChange', 'presentation');
      triggerWith(renderer.findByTestId(Select, 'stage-closedlost'), 'onChange', '__unmapped__');
      triggerWith(renderer.findByTestId(Input, 'step-0-title'), 'onChange', 'Qualify hard');
      triggerWith(renderer.findByTestId(TextArea, 'step-0-guidance'), 'onChange', 'Ask about budget first.');
      triggerWith(renderer.findByTestId(NumberInput, 'step-0-stall'), 'onChange', 7);
      triggerWith(renderer.findByTestId(Button, 'step-0-action-1-remove'), 'onClick');
      triggerWith(renderer.findByTestId(Button, 'step-0-add-action'), 'onClick');
      triggerWith(renderer.findByTestId(Input, 'step-0-action-1-title'), 'onChange', 'Confirm the budget');
      triggerWith(renderer.findByTestId(Input, 'step-0-action-1-id'), 'onChange', 'confirm-budget');
      triggerWith(renderer.findByTestId(Toggle, 'step-0-action-0-required'), 'onChange', false);
      triggerWith(renderer.findByTestId(Input, 'step-0-check-0-title'), 'onChange', 'Amount is positive');
      triggerWith(
        renderer.findByTestId(TextArea, 'step-0-check-0-rule'),
        'onChange',
        '{property: amount, gte: 1000}',
      );
      triggerWith(renderer.findByTestId(Input, 'publish-note'), 'onChange', 'Budget first');
      triggerWith(renderer.findByTestId(Toggle, 'apply-to-deals'), 'onChange', true);
      renderer.findByTestId(Button, 'publish').trigger('onClick');

      await renderer.waitFor(
        () => expect(renderer.findByTestId(Alert, 'notice').props.title).toBe('Published version 4'),
        RENDER_WAIT,
      );
      expect(client.published).toHaveLength(1);
      const [{ document, options }] = client.published as [(typeof client.published)[number]];
      expect(options).toEqual({ note: 'Budget first', applyToDealsInProgress: true });
      expect(document).toEqual({
        name: 'Default sales SOP',
        pipelines: {
          default: { stages: { qualifiedtobuy: 'qualification', appointmentscheduled: 'presentation' } },
        },
        steps: [
          {
            id: 'qualification',
            title: 'Qualify hard',
            guidance: 'Ask about budget first.',
            stallAfterBusinessDays: 7,
            actions: [
              { id: 'discovery-call', title: 'Hold a discovery call', required: false },
              { id: 'confirm-budget', title: 'Confirm the budget', required: true },
            ],
            checks: [
              { id: 'amount-set', title: 'Amount is positive', rule: { property: 'amount', gte: 1000 } },
            ],
          },
          {
            id: 'presentation',
            title: 'Presentation',
            guidance: 'Demo what they need.',
            actions: [],
            checks: [],
          },
        ],
        // A field the page does not edit goes back as it came.
        reminders: { escalateAfterBusinessDays: 3 },
      });
      // The page now shows what the server saved.
      expect(renderer.findByTestId(Heading, 'playbook-name').text).toBe('Published name');
      expect(renderer.findByTestId(Text, 'playbook-version').text).toContain('Version 4');
      expect(linesOf(renderer.findByTestId(Alert, 'notice'))).toContain(
        '7 deals in progress now follow this version.',
      );
      expect(renderer.findByTestId(Input, 'publish-note').props.value).toBe('');
    });

    it('adds a check and a step, and clears a stall threshold', async () => {
      const client = editorClient().script('publishPlaybook', answer(buildPublishAnswer(4)));
      const renderer = await renderLoaded(client);

      triggerWith(renderer.findByTestId(Button, 'step-1-add-check'), 'onClick');
      triggerWith(renderer.findByTestId(Input, 'step-1-check-0-title'), 'onChange', 'Two contacts');
      triggerWith(
        renderer.findByTestId(TextArea, 'step-1-check-0-rule'),
        'onChange',
        '{"associated": "contacts", "min": 2}',
      );
      triggerWith(renderer.findByTestId(NumberInput, 'step-0-stall'), 'onChange', Number.NaN);
      triggerWith(renderer.findByTestId(Button, 'add-step'), 'onClick');
      triggerWith(renderer.findByTestId(Input, 'step-2-title'), 'onChange', 'Negotiation');
      renderer.findByTestId(Button, 'publish').trigger('onClick');

      await renderer.waitFor(() => expect(client.published).toHaveLength(1), RENDER_WAIT);
      const steps = client.published[0]!.document.steps as Array<Record<string, unknown>>;
      expect(steps[0]).not.toHaveProperty('stallAfterBusinessDays');
      expect(steps[1]!.checks).toEqual([
        { id: 'new-check', title: 'Two contacts', rule: { associated: 'contacts', min: 2 } },
      ]);
      expect(steps[2]).toEqual({
        id: 'new-step',
        title: 'Negotiation',
        guidance: '',
        actions: [],
        checks: [],
      });
    });

    it("shows the server's validation errors next to the fields they name, and lists them all", async () => {
      const issues = [
        { path: 'steps.0.actions.0.id', message: 'required' },
        { path: 'steps.0.checks.0.rule.gt', message: 'expected a finite number' },
        { path: 'pipelines.default.stages.qualifiedtobuy', message: 'unknown step "qualify"' },
        { path: 'reminders.managerOwnerId', message: 'expected a HubSpot owner id (digits)' },
      ];
      const client = editorClient().script(
        'publishPlaybook',
        failure('Invalid playbook: steps.0.actions.0.id: required; ...', 'INVALID_PLAYBOOK', issues),
      );
      const renderer = await renderLoaded(client);

      triggerWith(renderer.findByTestId(Input, 'step-0-action-0-id'), 'onChange', '');
      renderer.findByTestId(Button, 'publish').trigger('onClick');

      await renderer.waitFor(
        () =>
          expect(renderer.findByTestId(Alert, 'notice').props.title).toBe('The playbook was not published'),
        RENDER_WAIT,
      );
      expect(renderer.findByTestId(Input, 'step-0-action-0-id').props).toMatchObject({
        error: true,
        validationMessage: 'required',
      });
      expect(renderer.findByTestId(TextArea, 'step-0-check-0-rule').props.validationMessage).toBe(
        'gt: expected a finite number',
      );
      expect(renderer.findByTestId(Select, 'stage-qualifiedtobuy').props.validationMessage).toBe(
        'unknown step "qualify"',
      );
      expect(renderer.findByTestId(Input, 'step-0-title').props.error).toBe(false);
      // Errors with no field on the page are still listed.
      expect(linesOf(renderer.findByTestId(Alert, 'notice'))).toEqual(
        issues.map((issue) => `${issue.path}: ${issue.message}`),
      );
      expect(renderer.findByTestId(Text, 'playbook-version').text).toContain('Version 3');
    });

    it('shows publish warnings for stages HubSpot does not have', async () => {
      const warning = {
        path: 'pipelines.default.stages.renewal',
        message: 'HubSpot pipeline "default" has no stage "renewal"',
      };
      const client = editorClient().script(
        'publishPlaybook',
        answer(buildPublishAnswer(4, { warnings: [warning] })),
      );
      const renderer = await renderLoaded(client);

      renderer.findByTestId(Button, 'publish').trigger('onClick');

      await renderer.waitFor(
        () => expect(renderer.findByTestId(Alert, 'notice').props.variant).toBe('warning'),
        RENDER_WAIT,
      );
      expect(linesOf(renderer.findByTestId(Alert, 'notice'))).toEqual([
        'pipelines.default.stages.renewal: HubSpot pipeline "default" has no stage "renewal"',
      ]);
    });
  });

  describe('enforcement', () => {
    /** The playbook with its first step under manager approval, two users exempt. */
    const withApproval = () => {
      const [first, ...others] = buildPlaybookAnswer().steps;
      return buildPlaybookAnswer({
        steps: [{ ...first, enforcement: { mode: 'approve', exemptUserIds: ['101', '202'] } }, ...others],
      });
    };

    it("shows each step's mode with a plain explanation of every mode, advisory when the step sets none", async () => {
      const renderer = await renderLoaded(editorClient(withApproval()));

      const approval = renderer.findByTestId(ToggleGroup, 'step-0-enforcement-mode');
      expect(approval.props.value).toBe('approve');
      expect(approval.props.name).toBe('steps.0.enforcement.mode');
      const options = approval.props.options as Array<{ value: string; label: string; description: string }>;
      expect(options.map((option) => option.value)).toEqual(['advisory', 'justify', 'approve', 'revert']);
      expect(options.find((option) => option.value === 'approve')!.description).toContain(
        'A rejection moves the deal back',
      );
      expect(options.find((option) => option.value === 'revert')!.description).toContain('moved back');
      expect(options.every((option) => option.description.length > 40)).toBe(true);
      expect(renderer.findByTestId(Input, 'step-0-enforcement-exempt').props.value).toBe('101, 202');
      // The justify deadline is only asked for under justify.
      expect(renderer.maybeFindByTestId(NumberInput, 'step-0-enforcement-justify-hours')).toBeNull();
      expect(renderer.findByTestId(ToggleGroup, 'step-1-enforcement-mode').props.value).toBe('advisory');
    });

    it('publishes the chosen mode, the justify deadline and the exempt users through the playbook PUT', async () => {
      const client = editorClient(withApproval()).script('publishPlaybook', answer(buildPublishAnswer(4)));
      const renderer = await renderLoaded(client);

      triggerWith(renderer.findByTestId(ToggleGroup, 'step-0-enforcement-mode'), 'onChange', 'justify');
      triggerWith(renderer.findByTestId(NumberInput, 'step-0-enforcement-justify-hours'), 'onChange', 16);
      triggerWith(renderer.findByTestId(Input, 'step-0-enforcement-exempt'), 'onChange', '101,  303 ,');
      triggerWith(renderer.findByTestId(ToggleGroup, 'step-1-enforcement-mode'), 'onChange', 'revert');
      renderer.findByTestId(Button, 'publish').trigger('onClick');

      await renderer.waitFor(() => expect(client.published).toHaveLength(1), RENDER_WAIT);
      const steps = client.published[0]!.document.steps as Array<Record<string, unknown>>;
      expect(steps[0]!.enforcement).toEqual({
        mode: 'justify',
        justifyWithinBusinessHours: 16,
        exemptUserIds: ['101', '303'],
      });
      expect(steps[1]!.enforcement).toEqual({ mode: 'revert' });
    });

    it('leaves a step nobody touched without enforcement, and clears the deadline back to the default', async () => {
      const client = editorClient().script('publishPlaybook', answer(buildPublishAnswer(4)));
      const renderer = await renderLoaded(client);

      triggerWith(renderer.findByTestId(ToggleGroup, 'step-0-enforcement-mode'), 'onChange', 'justify');
      triggerWith(renderer.findByTestId(NumberInput, 'step-0-enforcement-justify-hours'), 'onChange', 4);
      triggerWith(
        renderer.findByTestId(NumberInput, 'step-0-enforcement-justify-hours'),
        'onChange',
        Number.NaN,
      );
      renderer.findByTestId(Button, 'publish').trigger('onClick');

      await renderer.waitFor(() => expect(client.published).toHaveLength(1), RENDER_WAIT);
      const steps = client.published[0]!.document.steps as Array<Record<string, unknown>>;
      expect(steps[0]!.enforcement).toEqual({ mode: 'justify' });
      expect(steps[1]).not.toHaveProperty('enforcement');
    });

    it("shows the server's errors on enforcement next to the field whose path they name", async () => {
      const issues = [
        { path: 'steps.0.enforcement.exemptUserIds.1', message: 'expected a HubSpot user id (digits)' },
        {
          path: 'steps.0.enforcement.justifyWithinBusinessHours',
          message: 'expected a positive whole number',
        },
      ];
      const client = editorClient().script(
        'publishPlaybook',
        failure('Invalid playbook', 'INVALID_PLAYBOOK', issues),
      );
      const renderer = await renderLoaded(client);

      triggerWith(renderer.findByTestId(ToggleGroup, 'step-0-enforcement-mode'), 'onChange', 'justify');
      triggerWith(renderer.findByTestId(Input, 'step-0-enforcement-exempt'), 'onChange', '101, jo');
      renderer.findByTestId(Button, 'publish').trigger('onClick');

      await renderer.waitFor(
        () =>
          expect(renderer.findByTestId(Input, 'step-0-enforcement-exempt').props).toMatchObject({
            error: true,
            validationMessage: '1: expected a HubSpot user id (digits)',
          }),
        RENDER_WAIT,
      );
      expect(client.published[0]!.document.steps).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ enforcement: { mode: 'justify', exemptUserIds: ['101', 'jo'] } }),
        ]),
      );
      expect(
        renderer.findByTestId(NumberInput, 'step-0-enforcement-justify-hours').props.validationMessage,
      ).toBe('expected a positive whole number');
    });
  });

  describe('enforcement preview', () => {
    it('shows, per step, what each mode would have done with the recent moves, for the draft and window chosen', async () => {
      const client = editorClient().script('previewEnforcement', answer(buildEnforcementPreviewAnswer(90)));
      const renderer = await renderLoaded(client);

      triggerWith(renderer.findByTestId(ToggleGroup, 'step-1-enforcement-mode'), 'onChange', 'approve');
      triggerWith(renderer.findByTestId(Select, 'enforcement-preview-days'), 'onChange', 90);
      renderer.findByTestId(Button, 'enforcement-preview').trigger('onClick');

      await renderer.waitFor(
        () => expect(renderer.maybeFindByTestId(Table, 'enforcement-preview-table')).not.toBeNull(),
        RENDER_WAIT,
      );
      expect(client.enforcementPreviewed).toHaveLength(1);
      expect(client.enforcementPreviewed[0]!.days).toBe(90);
      // The draft, unsaved, is what is judged.
      expect(
        (client.enforcementPreviewed[0]!.document.steps as Array<Record<string, unknown>>)[1],
      ).toMatchObject({ enforcement: { mode: 'approve' } });
      expect(client.published).toEqual([]);
      expect(renderer.findByTestId(Text, 'enforcement-preview-summary').text).toBe(
        '9 stage moves recorded in the last 90 days, judged against this draft.',
      );
      expect(rowsOf(renderer, 'enforcement-preview-table')).toEqual([
        [
          'Qualification and needs assessment',
          '6',
          '4',
          '1',
          '3 recorded',
          '3 reasons asked (chosen)',
          '3 approvals asked',
          '3 moved back',
        ],
        [
          'Presentation',
          '3',
          '2',
          '0',
          '2 recorded',
          '2 reasons asked',
          '2 approvals asked (chosen)',
          '1 moved back, 1 approvals asked (into a closed stage)',
        ],
      ]);
    });

    it("shows the server's refusal of the draft next to its fields", async () => {
      const client = editorClient().script(
        'previewEnforcement',
        failure('Invalid playbook', 'INVALID_PLAYBOOK', [
          { path: 'steps.0.enforcement.exemptUserIds.0', message: 'expected a HubSpot user id (digits)' },
        ]),
      );
      const renderer = await renderLoaded(client);

      triggerWith(renderer.findByTestId(Input, 'step-0-enforcement-exempt'), 'onChange', 'ops');
      renderer.findByTestId(Button, 'enforcement-preview').trigger('onClick');

      await renderer.waitFor(
        () =>
          expect(renderer.findByTestId(Input, 'step-0-enforcement-exempt').props.validationMessage).toBe(
            '0: expected a HubSpot user id (digits)',
          ),
        RENDER_WAIT,
      );
      expect(client.enforcementPreviewed[0]!.days).toBe(30);
      expect(renderer.maybeFindByTestId(Table, 'enforcement-preview-table')).toBeNull();
    });
  });

  describe('impact preview', () => {
    it('previews the draft and shows, per stage, the open deals ready, blocked, stalled or without a step', async () => {
      const client = editorClient().script('previewPlaybook', answer(buildPreviewAnswer()));
      const renderer = await renderLoaded(client);

      triggerWith(renderer.findByTestId(NumberInput, 'step-0-stall'), 'onChange', 3);
      renderer.findByTestId(Button, 'preview').trigger('onClick');

      await renderer.waitFor(
        () => expect(renderer.maybeFindByTestId(Table, 'preview-table')).not.toBeNull(),
        RENDER_WAIT,
      );
      expect((client.previewed[0]!.steps as Array<Record<string, unknown>>)[0]!.stallAfterBusinessDays).toBe(
        3,
      );
      expect(client.published).toEqual([]);
      expect(rowsOf(renderer, 'preview-table')).toEqual([
        ['Appointment Scheduled', 'No step', '0', '0', '0', '0', '0'],
        ['Qualified To Buy', 'qualification', '4', '1 (e.g. 11)', '2 (e.g. 12, 13)', '1 (e.g. 14)', '0'],
      ]);
      expect(renderer.findByTestId(Text, 'preview-totals').text).toContain(
        '4 open deals: 1 ready to advance, 2 blocked, 1 stalled',
      );
    });

    it('shows a rejected candidate like a rejected publish', async () => {
      const client = editorClient().script(
        'previewPlaybook',
        failure('Invalid playbook', 'INVALID_PLAYBOOK', [
          { path: 'steps.1.title', message: 'must not be empty' },
        ]),
      );
      const renderer = await renderLoaded(client);

      triggerWith(renderer.findByTestId(Input, 'step-1-title'), 'onChange', '');
      renderer.findByTestId(Button, 'preview').trigger('onClick');

      await renderer.waitFor(
        () =>
          expect(renderer.findByTestId(Input, 'step-1-title').props.validationMessage).toBe(
            'must not be empty',
          ),
        RENDER_WAIT,
      );
      expect(renderer.maybeFindByTestId(Table, 'preview-table')).toBeNull();
    });
  });

  describe('version history', () => {
    it('restores an old version as a new one and shows it', async () => {
      const restored = buildPublishAnswer(4, {
        note: 'Restored version 2',
        steps: [
          { id: 'qualification', title: 'Old qualification', guidance: 'Old.', actions: [], checks: [] },
        ],
      });
      const client = new FakePlaybookClient()
        .script('getPlaybook', answer(buildPlaybookAnswer()))
        .script('listVersions', answer(buildVersionsAnswer(3, 2, 1)))
        .script('restoreVersion', answer(restored))
        .alwaysListVersions(buildVersionsAnswer(4, 3, 2, 1));
      const renderer = await renderLoaded(client);
      expect(renderer.maybeFindByTestId(Button, 'restore-3')).toBeNull();

      renderer.findByTestId(Button, 'restore-2').trigger('onClick');

      await renderer.waitFor(
        () =>
          expect(renderer.findByTestId(Alert, 'notice').props.title).toBe('Version 2 restored as version 4'),
        RENDER_WAIT,
      );
      expect(client.restored).toEqual([{ version: 2, options: { applyToDealsInProgress: false } }]);
      expect(renderer.findByTestId(Input, 'step-0-title').props.value).toBe('Old qualification');
      await renderer.waitFor(
        () => expect(rowsOf(renderer, 'version-history').map((row) => row[0])).toEqual(['4', '3', '2', '1']),
        RENDER_WAIT,
      );
      const currentRow = renderer.findByTestId(Table, 'version-history').findAll(TableRow)[1]!;
      expect(linesOf(currentRow)).toContain('Current');
    });

    it('says so when the history cannot be loaded, without losing the editor', async () => {
      const client = new FakePlaybookClient()
        .script('getPlaybook', answer(buildPlaybookAnswer()))
        .script('listVersions', failure('The SOP Guide service answered with status 503.'));
      const renderer = createRenderer('settings');
      renderer.render(<PlaybookSettings client={client} />);

      await renderer.waitFor(
        () => expect(renderer.findByTestId(Text, 'history-error').text).toContain('status 503'),
        RENDER_WAIT,
      );
      expect(renderer.findByTestId(Button, 'publish')).toBeDefined();
    });
  });

  describe('read-only', () => {
    it('shows the playbook read-only with the reason to a user who may not publish', async () => {
      const reason =
        "Only the portal's super admins and the users listed in MANAGER_USER_IDS can change the playbook.";
      const client = editorClient(buildPlaybookAnswer({ canEdit: false, readOnlyReason: reason }));
      const renderer = await renderLoaded(client);

      expect(renderer.findByTestId(Alert, 'read-only').text).toBe(reason);
      for (const testId of [
        'publish',
        'preview',
        'add-step',
        'step-0-add-action',
        'step-0-action-0-remove',
        'restore-2',
      ]) {
        expect(renderer.maybeFindByTestId(Button, testId)).toBeNull();
      }
      expect(renderer.findByTestId(Input, 'step-0-title').props.readOnly).toBe(true);
      expect(renderer.findByTestId(TextArea, 'step-0-check-0-rule').props.readOnly).toBe(true);
      expect(renderer.findByTestId(Select, 'stage-qualifiedtobuy').props.readOnly).toBe(true);
      expect(renderer.findByTestId(Toggle, 'step-0-action-0-required').props.readOnly).toBe(true);
      const modes = renderer.findByTestId(ToggleGroup, 'step-0-enforcement-mode').props.options as Array<{
        readOnly: boolean;
      }>;
      expect(modes.every((option) => option.readOnly)).toBe(true);
      expect(renderer.findByTestId(Input, 'step-0-enforcement-exempt').props.readOnly).toBe(true);
    });
  });
});
