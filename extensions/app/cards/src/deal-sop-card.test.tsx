import {
  Alert,
  Button,
  Checkbox,
  EmptyState,
  ErrorState,
  Heading,
  Link,
  List,
  LoadingSpinner,
  ProgressBar,
  StatusTag,
  Text,
  TextArea,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { DealSopCard } from './deal-sop-card';
import { FakeBackendClient, answer, deferred, failure } from './testing/fake-backend-client';
import {
  buildAction,
  buildCheck,
  buildGuidance,
  buildStall,
  withActionDone,
} from './testing/guidance.builder';

/** The renderer waits 1 s by default; a loaded CI machine can take longer to render. It bounds a hang, not speed. */
const RENDER_WAIT = { timeoutInMs: 10_000 };

const NOW = new Date('2026-12-01T12:00:00.000Z');

function renderCard(client: FakeBackendClient) {
  const renderer = createRenderer('crm.record.sidebar');
  renderer.render(
    <DealSopCard
      dealId="123"
      client={client}
      onCrmPropertiesUpdate={renderer.mocks.actions.onCrmPropertiesUpdate}
      now={() => NOW}
    />,
  );
  return renderer;
}

async function renderLoadedCard(client: FakeBackendClient) {
  const renderer = renderCard(client);
  await renderer.waitFor(() => expect(renderer.maybeFind(LoadingSpinner)).toBeNull(), RENDER_WAIT);
  return renderer;
}

// The renderer types an event's argument as the handler itself; at runtime it passes the value through.
function triggerWith(node: { trigger: unknown }, eventName: string, value: unknown) {
  (node.trigger as (name: string, arg: unknown) => void)(eventName, value);
}

describe('deal SOP card', () => {
  it('shows a spinner while the guidance loads', () => {
    const client = new FakeBackendClient().answerGuidance({ pending: deferred().promise });

    const { find } = renderCard(client);

    expect(find(LoadingSpinner)).toBeDefined();
  });

  it("shows the step for the deal's stage, its guidance and a link to the full SOP", async () => {
    const guidance = buildGuidance();
    const client = new FakeBackendClient().answerGuidance(
      answer({
        ...guidance,
        step: { ...guidance.step!, sopUrl: 'https://wiki.example.com/sop/qualification' },
      }),
    );

    const { find, findByTestId } = await renderLoadedCard(client);

    expect(find(Heading).text).toBe('Qualification and needs assessment');
    expect(findByTestId(Text, 'stage-label').text).toContain('Qualified To Buy');
    expect(findByTestId(Text, 'step-guidance').text).toBe(
      'Confirm budget, authority, need and timeline before any demo.',
    );
    expect(find(Link).props.href).toEqual({
      url: 'https://wiki.example.com/sop/qualification',
      external: true,
    });
    expect(client.guidanceRequests).toEqual(['123']);
  });

  it('offers no SOP link when the step has none', async () => {
    const client = new FakeBackendClient().answerGuidance(answer(buildGuidance()));

    const { maybeFind } = await renderLoadedCard(client);

    expect(maybeFind(Link)).toBeNull();
  });

  it('lists the actions as checkboxes, ticked when done and by whom', async () => {
    const client = new FakeBackendClient().answerGuidance(
      answer(
        buildGuidance({
          actions: [
            buildAction({
              id: 'discovery-call',
              done: true,
              doneBy: { userId: '101', email: 'rep@example.com' },
              doneAt: '2026-11-21T09:30:00.000Z',
            }),
            buildAction({ id: 'budget-confirmed', title: 'Confirm the budget' }),
          ],
        }),
      ),
    );

    const { findByTestId } = await renderLoadedCard(client);

    const done = findByTestId(Checkbox, 'action-discovery-call');
    expect(done.props.checked).toBe(true);
    expect(done.props.description).toBe('Done by rep@example.com on 2026-11-21');
    expect(findByTestId(Checkbox, 'action-budget-confirmed').props.checked).toBe(false);
    expect(findByTestId(Checkbox, 'action-budget-confirmed').text).toBe('Confirm the budget');
  });

  it('tags each compliance check as passed or missing, with what is missing', async () => {
    const client = new FakeBackendClient().answerGuidance(
      answer(
        buildGuidance({
          checks: [
            buildCheck({
              id: 'amount-set',
              title: 'Amount is set',
              passed: false,
              detail: 'Amount is empty',
            }),
            buildCheck({ id: 'contact-associated', title: 'A contact is associated', passed: true }),
          ],
        }),
      ),
    );

    const { findByTestId, maybeFindByTestId } = await renderLoadedCard(client);

    expect(findByTestId(StatusTag, 'check-amount-set').props.variant).toBe('danger');
    expect(findByTestId(Text, 'check-amount-set-detail').text).toBe('Amount is empty');
    expect(findByTestId(StatusTag, 'check-contact-associated').props.variant).toBe('success');
    expect(maybeFindByTestId(Text, 'check-contact-associated-detail')).toBeNull();
  });

  it('shows progress and the blockers of a deal that is not ready to advance', async () => {
    const client = new FakeBackendClient().answerGuidance(
      answer(
        buildGuidance({
          progress: { done: 1, total: 4 },
          readyToAdvance: false,
          blockers: ['Hold a discovery call', 'Amount is empty'],
        }),
      ),
    );

    const { findByTestId } = await renderLoadedCard(client);

    const progress = findByTestId(ProgressBar, 'progress');
    expect([progress.props.value, progress.props.maxValue]).toEqual([1, 4]);
    expect(findByTestId(StatusTag, 'readiness').text).toBe('Not ready to advance');
    expect(findByTestId(StatusTag, 'readiness').props.variant).toBe('warning');
    const blockers = findByTestId(List, 'blockers')
      .findAll(Text)
      .map((item) => item.text);
    expect(blockers).toEqual(['Hold a discovery call', 'Amount is empty']);
  });

  it('says the deal is ready to advance when the server says so', async () => {
    const client = new FakeBackendClient().answerGuidance(
      answer(buildGuidance({ progress: { done: 2, total: 2 }, readyToAdvance: true, blockers: [] })),
    );

    const { findByTestId } = await renderLoadedCard(client);

    expect(findByTestId(StatusTag, 'readiness').text).toBe('Ready to advance');
    expect(findByTestId(StatusTag, 'readiness').props.variant).toBe('success');
  });

  it('explains that the stage has no SOP step', async () => {
    const client = new FakeBackendClient().answerGuidance(
      answer(
        buildGuidance({
          stage: { id: 'closedlost', label: 'Closed Lost', enteredAt: '2026-11-20T10:00:00.000Z' },
          step: null,
          reason: 'Closed Lost is mapped to no SOP step.',
          actions: [],
          checks: [],
          progress: { done: 0, total: 0 },
          blockers: [],
        }),
      ),
    );

    const { find, findByTestId, maybeFind } = await renderLoadedCard(client);

    expect(find(EmptyState).props.title).toBe('No SOP step for Closed Lost');
    expect(findByTestId(Text, 'no-step-reason').text).toBe('Closed Lost is mapped to no SOP step.');
    expect(maybeFind(Checkbox)).toBeNull();
  });

  it("shows the backend's message when the guidance cannot be loaded, and loads again on retry", async () => {
    const client = new FakeBackendClient().answerGuidance(
      failure('SOP Guide is not installed in this portal.'),
      answer(buildGuidance()),
    );
    const renderer = renderCard(client);
    await renderer.waitFor(() => expect(renderer.find(ErrorState)).toBeDefined(), RENDER_WAIT);
    expect(renderer.findByTestId(Text, 'load-error').text).toBe('SOP Guide is not installed in this portal.');

    renderer.findByTestId(Button, 'retry').trigger('onClick');

    await renderer.waitFor(
      () => expect(renderer.find(Heading).text).toBe('Qualification and needs assessment'),
      RENDER_WAIT,
    );
    expect(renderer.maybeFind(ErrorState)).toBeNull();
  });

  it('shows a malformed response as an error instead of rendering it', async () => {
    const { stage: _stage, ...withoutStage } = buildGuidance();
    const client = new FakeBackendClient().answerGuidance(
      answer({ ...withoutStage, progress: { done: 'one' } }),
    );

    const renderer = renderCard(client);

    await renderer.waitFor(() => expect(renderer.find(ErrorState)).toBeDefined(), RENDER_WAIT);
    expect(renderer.findByTestId(Text, 'load-error').text).toContain('cannot read');
    expect(renderer.maybeFind(Heading)).toBeNull();
  });

  it('ticks an action at once, then shows the progress the server confirms', async () => {
    const before = buildGuidance({ progress: { done: 0, total: 2 } });
    const save = deferred();
    const client = new FakeBackendClient()
      .answerGuidance(answer(before))
      .answerSaves({ pending: save.promise });
    const renderer = await renderLoadedCard(client);

    triggerWith(renderer.findByTestId(Checkbox, 'action-discovery-call'), 'onChange', true);

    expect(renderer.findByTestId(Checkbox, 'action-discovery-call').props.checked).toBe(true);
    expect(renderer.findByTestId(Checkbox, 'action-discovery-call').props.readOnly).toBe(true);
    expect(renderer.findByTestId(ProgressBar, 'progress').props.value).toBe(0);

    save.resolve(withActionDone(before, 'discovery-call'));

    await renderer.waitFor(
      () => expect(renderer.findByTestId(ProgressBar, 'progress').props.value).toBe(1),
      RENDER_WAIT,
    );
    const confirmed = renderer.findByTestId(Checkbox, 'action-discovery-call');
    expect(confirmed.props.checked).toBe(true);
    expect(confirmed.props.readOnly).toBe(false);
    expect(confirmed.props.description).toBe('Done by rep@example.com on 2026-11-21');
    expect(client.savedActions).toEqual([{ dealId: '123', actionId: 'discovery-call', done: true }]);
  });

  it('unticks the action and says why when the save fails', async () => {
    const client = new FakeBackendClient()
      .answerGuidance(answer(buildGuidance()))
      .answerSaves(failure('Only the deal owner can change this checklist.'));
    const renderer = await renderLoadedCard(client);

    triggerWith(renderer.findByTestId(Checkbox, 'action-discovery-call'), 'onChange', true);

    await renderer.waitFor(() => expect(renderer.findByTestId(Alert, 'notice')).toBeDefined(), RENDER_WAIT);
    const alert = renderer.findByTestId(Alert, 'notice');
    expect(alert.props.title).toBe('"Hold a discovery call" was not saved');
    expect(alert.text).toContain('Only the deal owner can change this checklist.');
    expect(renderer.findByTestId(Checkbox, 'action-discovery-call').props.checked).toBe(false);
  });

  it('rolls back a save whose answer is malformed', async () => {
    const client = new FakeBackendClient()
      .answerGuidance(answer(buildGuidance()))
      .answerSaves(answer({ saved: true }));
    const renderer = await renderLoadedCard(client);

    triggerWith(renderer.findByTestId(Checkbox, 'action-discovery-call'), 'onChange', true);

    await renderer.waitFor(() => expect(renderer.findByTestId(Alert, 'notice')).toBeDefined(), RENDER_WAIT);
    expect(renderer.findByTestId(Checkbox, 'action-discovery-call').props.checked).toBe(false);
  });

  it("refreshes when the deal's stage changes in the record", async () => {
    const client = new FakeBackendClient().answerGuidance(
      answer(buildGuidance()),
      answer(
        buildGuidance({
          stage: {
            id: 'presentationscheduled',
            label: 'Presentation Scheduled',
            enteredAt: NOW.toISOString(),
          },
          step: {
            id: 'presentation',
            title: 'Sales presentation and product demonstration',
            guidance: 'Tailor the demo to the needs found in qualification.',
            playbookVersion: 3,
          },
        }),
      ),
    );
    const renderer = await renderLoadedCard(client);
    const subscriptions = renderer.mocks.actions.onCrmPropertiesUpdate.calls;
    expect(subscriptions).toHaveLength(1);
    const [watched, onUpdate] = subscriptions[0]!;
    expect(watched).toContain('dealstage');

    onUpdate({ dealstage: 'presentationscheduled' });

    await renderer.waitFor(
      () => expect(renderer.find(Heading).text).toBe('Sales presentation and product demonstration'),
      RENDER_WAIT,
    );
    expect(renderer.findByTestId(Text, 'stage-label').text).toContain('Presentation Scheduled');
  });

  it('keeps the guidance on screen when a refresh fails, and says so', async () => {
    const client = new FakeBackendClient().answerGuidance(
      answer(buildGuidance()),
      failure('The SOP Guide service could not be reached. Try again in a moment.'),
    );
    const renderer = await renderLoadedCard(client);
    const [, onUpdate] = renderer.mocks.actions.onCrmPropertiesUpdate.calls[0]!;

    onUpdate({ amount: '5000' });

    await renderer.waitFor(() => expect(renderer.findByTestId(Alert, 'notice')).toBeDefined(), RENDER_WAIT);
    expect(renderer.findByTestId(Alert, 'notice').props.title).toBe('The SOP could not be refreshed');
    expect(renderer.find(Heading).text).toBe('Qualification and needs assessment');
  });

  it('warns about a stalled deal with its days in stage against the threshold', async () => {
    const client = new FakeBackendClient().answerGuidance(
      answer(
        buildGuidance({
          stall: buildStall({
            stalled: true,
            daysInStage: 12,
            thresholdDays: 10,
            reason: 'in-stage-too-long',
          }),
        }),
      ),
    );

    const { findByTestId } = await renderLoadedCard(client);

    const warning = findByTestId(Alert, 'stall-warning');
    expect(warning.props.title).toBe('Stalled: 12 days in Qualified To Buy');
    expect(warning.text).toBe(
      'The SOP expects at most 10 days in this stage. It has been in this stage longer than the SOP allows.',
    );
    expect(findByTestId(Button, 'snooze-open')).toBeDefined();
  });

  it('shows no stall warning for a deal on schedule', async () => {
    const client = new FakeBackendClient().answerGuidance(answer(buildGuidance()));

    const { maybeFindByTestId } = await renderLoadedCard(client);

    expect(maybeFindByTestId(Alert, 'stall-warning')).toBeNull();
    expect(maybeFindByTestId(Button, 'snooze-open')).toBeNull();
  });

  it('snoozes the stall warning for a week with the reason given', async () => {
    const stalled = buildGuidance({
      stall: buildStall({ stalled: true, daysInStage: 12, thresholdDays: 10 }),
    });
    const snoozed = buildGuidance({
      stall: buildStall({ stalled: false, daysInStage: 12, snoozedUntil: '2026-12-08T12:00:00.000Z' }),
    });
    const client = new FakeBackendClient().answerGuidance(answer(stalled)).answerSnoozes(answer(snoozed));
    const renderer = await renderLoadedCard(client);

    renderer.findByTestId(Button, 'snooze-open').trigger('onClick');
    expect(renderer.findByTestId(Button, 'snooze-submit').props.disabled).toBe(true);
    triggerWith(
      renderer.findByTestId(TextArea, 'snooze-reason'),
      'onChange',
      'Buyer is on holiday until the 8th',
    );
    renderer.findByTestId(Button, 'snooze-submit').trigger('onClick');

    await renderer.waitFor(
      () => expect(renderer.maybeFindByTestId(Alert, 'stall-warning')).toBeNull(),
      RENDER_WAIT,
    );
    expect(renderer.findByTestId(Text, 'stall-note').text).toBe('Stall warning snoozed until 2026-12-08.');
    expect(client.snoozes).toEqual([
      {
        dealId: '123',
        snooze: { until: '2026-12-08T12:00:00.000Z', reason: 'Buyer is on holiday until the 8th' },
      },
    ]);
  });

  it("keeps the snooze form open with the backend's message when the snooze fails", async () => {
    const client = new FakeBackendClient()
      .answerGuidance(answer(buildGuidance({ stall: buildStall({ stalled: true, daysInStage: 12 }) })))
      .answerSnoozes(failure('A deal can be snoozed at most 14 days.'));
    const renderer = await renderLoadedCard(client);

    renderer.findByTestId(Button, 'snooze-open').trigger('onClick');
    triggerWith(renderer.findByTestId(TextArea, 'snooze-reason'), 'onChange', 'Waiting on legal');
    renderer.findByTestId(Button, 'snooze-submit').trigger('onClick');

    await renderer.waitFor(
      () => expect(renderer.findByTestId(Alert, 'snooze-error')).toBeDefined(),
      RENDER_WAIT,
    );
    expect(renderer.findByTestId(Alert, 'snooze-error').text).toBe('A deal can be snoozed at most 14 days.');
    expect(renderer.findByTestId(TextArea, 'snooze-reason').props.value).toBe('Waiting on legal');
    expect(renderer.findByTestId(Alert, 'stall-warning')).toBeDefined();
  });
});
