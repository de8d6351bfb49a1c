import { Alert, Button, LoadingSpinner, Text, TextArea } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { DealSopCard } from './deal-sop-card';
import { FakeBackendClient, answer, failure } from './testing/fake-backend-client';
import { buildException, buildGuidance } from './testing/guidance.builder';

/** The renderer waits 1 s by default; a loaded CI machine can take longer to render. It bounds a hang, not speed. */
const RENDER_WAIT = { timeoutInMs: 10_000 };

async function renderLoadedCard(client: FakeBackendClient) {
  const renderer = createRenderer('crm.record.sidebar');
  renderer.render(
    <DealSopCard
      dealId="123"
      client={client}
      onCrmPropertiesUpdate={renderer.mocks.actions.onCrmPropertiesUpdate}
      now={() => new Date('2026-12-01T12:00:00.000Z')}
    />,
  );
  await renderer.waitFor(() => expect(renderer.maybeFind(LoadingSpinner)).toBeNull(), RENDER_WAIT);
  return renderer;
}

// The renderer types an event's argument as the handler itself; at runtime it passes the value through.
function triggerWith(node: { trigger: unknown }, eventName: string, value: unknown) {
  (node.trigger as (name: string, arg: unknown) => void)(eventName, value);
}

describe('exception banner in the deal card', () => {
  it('shows an open exception with the items that were open when the deal moved on', async () => {
    const client = new FakeBackendClient().answerGuidance(
      answer(buildGuidance({ exceptions: [buildException()] })),
    );

    const { findByTestId } = await renderLoadedCard(client);

    const banner = findByTestId(Alert, 'exception-banner');
    expect(banner.props.title).toBe('Moved on from qualifiedtobuy with the SOP unmet');
    expect(banner.findAll(Text).map((line) => line.text)).toEqual([
      'Moved to presentationscheduled on 2026-11-30 with 2 items open:',
      'Hold a discovery call',
      'Amount is set (Amount is empty)',
    ]);
  });

  it('shows nothing for exceptions already settled, or for a server that sends none', async () => {
    const settled = new FakeBackendClient().answerGuidance(
      answer(buildGuidance({ exceptions: [buildException({ status: 'approved' })] })),
    );
    const older = new FakeBackendClient().answerGuidance(answer(buildGuidance()));

    expect((await renderLoadedCard(settled)).maybeFindByTestId(Alert, 'exception-banner')).toBeNull();
    expect((await renderLoadedCard(older)).maybeFindByTestId(Alert, 'exception-banner')).toBeNull();
  });
});

describe('justifying from the card', () => {
  it("sends the owner's reason, then shows the guidance the server gives back", async () => {
    const open = buildException({ mode: 'justify' });
    const client = new FakeBackendClient()
      .answerGuidance(
        answer(buildGuidance({ exceptions: [open] })),
        answer(buildGuidance({ exceptions: [{ ...open, status: 'justified' }] })),
      )
      .answerJustifications(answer({ ...open, status: 'justified' }));
    const renderer = await renderLoadedCard(client);

    triggerWith(renderer.findByTestId(TextArea, 'justify-reason'), 'onChange', 'Budget agreed by phone ');
    renderer.findByTestId(Button, 'justify-submit').trigger('onClick');

    await renderer.waitFor(
      () => expect(renderer.maybeFindByTestId(Alert, 'exception-banner')).toBeNull(),
      RENDER_WAIT,
    );
    expect(client.justifications).toEqual([
      { exceptionId: 'ex-1', body: { reason: 'Budget agreed by phone' } },
    ]);
  });

  it('says why a reason was refused, and keeps it for another try', async () => {
    const client = new FakeBackendClient()
      .answerGuidance(answer(buildGuidance({ exceptions: [buildException({ mode: 'justify' })] })))
      .answerJustifications(failure("Only the deal's owner can justify its exception."));
    const renderer = await renderLoadedCard(client);

    triggerWith(renderer.findByTestId(TextArea, 'justify-reason'), 'onChange', 'Mine');
    renderer.findByTestId(Button, 'justify-submit').trigger('onClick');

    await renderer.waitFor(
      () => expect(renderer.maybeFindByTestId(Alert, 'justify-error')).not.toBeNull(),
      RENDER_WAIT,
    );
    expect(renderer.findByTestId(Alert, 'justify-error').text).toBe(
      "Only the deal's owner can justify its exception.",
    );
    expect(renderer.findByTestId(TextArea, 'justify-reason').props.value).toBe('Mine');
  });

  it('offers no reason box for an exception that asks for none', async () => {
    const client = new FakeBackendClient().answerGuidance(
      answer(buildGuidance({ exceptions: [buildException({ mode: 'advisory' })] })),
    );

    const renderer = await renderLoadedCard(client);

    expect(renderer.maybeFindByTestId(TextArea, 'justify-reason')).toBeNull();
  });
});

describe('a manager deciding from the card', () => {
  it('rejects the move, then shows the guidance the server gives back', async () => {
    const open = buildException({ mode: 'approve' });
    const client = new FakeBackendClient()
      .answerGuidance(
        answer(buildGuidance({ exceptions: [open] })),
        answer(buildGuidance({ exceptions: [{ ...open, status: 'rejected' }] })),
      )
      .answerDecisions(answer({ ...open, status: 'rejected' }));
    const renderer = await renderLoadedCard(client);

    renderer.findByTestId(Button, 'reject-exception').trigger('onClick');

    await renderer.waitFor(
      () => expect(renderer.maybeFindByTestId(Alert, 'exception-banner')).toBeNull(),
      RENDER_WAIT,
    );
    expect(client.decisions).toEqual([{ exceptionId: 'ex-1', body: { decision: 'reject' } }]);
  });

  it("shows the server's refusal to someone who is not a manager", async () => {
    const client = new FakeBackendClient()
      .answerGuidance(answer(buildGuidance({ exceptions: [buildException({ mode: 'approve' })] })))
      .answerDecisions(failure('Only managers can approve or reject an exception.'));
    const renderer = await renderLoadedCard(client);

    renderer.findByTestId(Button, 'approve-exception').trigger('onClick');

    await renderer.waitFor(
      () => expect(renderer.maybeFindByTestId(Alert, 'decision-error')).not.toBeNull(),
      RENDER_WAIT,
    );
    expect(renderer.findByTestId(Alert, 'decision-error').text).toBe(
      'Only managers can approve or reject an exception.',
    );
  });
});
