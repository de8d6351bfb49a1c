import { Alert, Button, EmptyState, Input, Link, List, Select, Text, TextArea } from '@hubspot/ui-extensions';
import { FakeHubSpotFetch, ok, refused } from './testing/fake-hubspot-fetch';
import {
  buildException,
  managerFilters,
  renderSettled,
  repFilters,
  rowsOf,
  settled,
  triggerWith,
  RENDER_WAIT,
} from './testing/pages.builders';

const renderExceptions = (backend: FakeHubSpotFetch) => renderSettled(backend, '/exceptions');

const approveException = buildException();
const justifyException = buildException({
  id: 'exc2',
  dealId: '502',
  mode: 'justify',
  fromStage: 'presentationscheduled',
  toStage: 'contractsent',
  openItems: [{ kind: 'action', id: 'demo', title: 'Run the demo' }],
});

describe('exceptions page', () => {
  it('a manager sees the open exceptions: the deal in HubSpot, the move, what was open, and a decision to take', async () => {
    const backend = new FakeHubSpotFetch()
      .on('GET /api/v1/insights/filters', ok(managerFilters))
      .on('GET /api/v1/exceptions', ok({ items: [approveException, justifyException], nextCursor: null }));
    const renderer = await renderExceptions(backend);
    expect(backend.sentTo('GET /api/v1/exceptions').map((request) => request.query)).toEqual([
      { status: 'open' },
    ]);
    expect(rowsOf(renderer, 'exceptions').map((row) => row.slice(1, 3).concat(row[4]!))).toEqual([
      ['Qualified To Buy → Presentation Scheduled', '2026-11-20', 'open'],
      ['Presentation Scheduled → Contract Sent', '2026-11-20', 'open'],
    ]);
    expect(renderer.findAll(Link).map((link) => [link.text, link.props.href])).toEqual([
      ['Deal 501', { url: 'https://app.hubspot.com/contacts/62515/record/0-3/501', external: true }],
      ['Deal 502', { url: 'https://app.hubspot.com/contacts/62515/record/0-3/502', external: true }],
    ]);
    expect(
      renderer
        .findAll(List)[0]!
        .findAll(Text)
        .map((item) => item.text),
    ).toEqual(['Hold a discovery call', 'Amount is set (Amount is empty)']);
    // Approve-mode exceptions take a manager's decision; a justify-mode one waits on its owner.
    expect(renderer.findAll(Button, { testId: 'approve-exception' })).toHaveLength(1);
    expect(renderer.maybeFind(TextArea)).toBeNull();
    expect(renderer.find(Text, (text) => text.text === "Owner's reason needed")).toBeDefined();
  });

  it("a manager's approval with a note goes to the decision endpoint, and the row shows the outcome", async () => {
    const backend = new FakeHubSpotFetch()
      .on('GET /api/v1/insights/filters', ok(managerFilters))
      .on('GET /api/v1/exceptions', ok({ items: [approveException], nextCursor: null }))
      .on(
        'POST /api/v1/exceptions/exc1/decision',
        ok({
          ...approveException,
          status: 'approved',
          decision: {
            userId: '301',
            email: 'morgan.manager@example.com',
            decision: 'approve',
            note: 'Budget confirmed by phone',
            at: '2026-11-21T09:00:00.000Z',
          },
        }),
      );
    const renderer = await renderExceptions(backend);
    triggerWith(renderer.find(Input, { name: 'note-exc1' }), 'onChange', 'Budget confirmed by phone');
    renderer.findByTestId(Button, 'approve-exception').trigger('onClick');
    await renderer.waitFor(
      () =>
        expect(renderer.find(Text, (text) => text.text?.startsWith('Approved by') ?? false).text).toBe(
          'Approved by morgan.manager@example.com: Budget confirmed by phone',
        ),
      RENDER_WAIT,
    );
    expect(backend.sentTo('POST /api/v1/exceptions/exc1/decision').map((request) => request.body)).toEqual([
      { decision: 'approve', note: 'Budget confirmed by phone' },
    ]);
    expect(rowsOf(renderer, 'exceptions')[0]![4]).toBe('approved');
    expect(renderer.maybeFindByTestId(Button, 'approve-exception')).toBeNull();
  });

  it('a rejection the service refuses shows its answer plainly: 409 no longer open, 403 not a manager', async () => {
    const backend = new FakeHubSpotFetch()
      .on('GET /api/v1/insights/filters', ok(managerFilters))
      .on('GET /api/v1/exceptions', ok({ items: [approveException], nextCursor: null }))
      .on(
        'POST /api/v1/exceptions/exc1/decision',
        refused(409, 'CONFLICT', 'This exception is no longer open.'),
        refused(403, 'FORBIDDEN', 'Only managers can approve or reject an exception.'),
      );
    const renderer = await renderExceptions(backend);
    renderer.findByTestId(Button, 'reject-exception').trigger('onClick');
    await renderer.waitFor(
      () =>
        expect(renderer.findByTestId(Alert, 'decision-error').text).toBe('This exception is no longer open.'),
      RENDER_WAIT,
    );
    renderer.findByTestId(Button, 'reject-exception').trigger('onClick');
    await renderer.waitFor(
      () =>
        expect(renderer.findByTestId(Alert, 'decision-error').text).toBe(
          'Only managers can approve or reject an exception.',
        ),
      RENDER_WAIT,
    );
    expect(backend.sentTo('POST /api/v1/exceptions/exc1/decision').map((request) => request.body)).toEqual([
      { decision: 'reject' },
      { decision: 'reject' },
    ]);
    expect(rowsOf(renderer, 'exceptions')[0]![4]).toBe('open');
  });

  it("a rep sees their deals' exceptions, gives the reason a justify one asks for, and decides none", async () => {
    const backend = new FakeHubSpotFetch()
      .on('GET /api/v1/insights/filters', ok(repFilters))
      .on('GET /api/v1/exceptions', ok({ items: [approveException, justifyException], nextCursor: null }))
      .on(
        'POST /api/v1/exceptions/exc2/justification',
        ok({
          ...justifyException,
          status: 'justified',
          justification: {
            userId: '201',
            email: 'riley.rep@example.com',
            reason: 'The buyer asked for the demo first',
            at: '2026-11-21T09:00:00.000Z',
          },
        }),
      );
    const renderer = await renderExceptions(backend);
    expect(renderer.find(Text, (text) => text.text === 'Exceptions on your deals.')).toBeDefined();
    expect(renderer.maybeFindByTestId(Button, 'approve-exception')).toBeNull();
    expect(renderer.find(Text, (text) => text.text === "Manager's decision needed")).toBeDefined();
    expect(renderer.findByTestId(Button, 'justify-exception').props.disabled).toBe(true);
    triggerWith(
      renderer.find(TextArea, { name: 'reason-exc2' }),
      'onChange',
      'The buyer asked for the demo first',
    );
    renderer.findByTestId(Button, 'justify-exception').trigger('onClick');
    await renderer.waitFor(
      () => expect(rowsOf(renderer, 'exceptions')[1]![4]).toBe('justified'),
      RENDER_WAIT,
    );
    expect(
      backend.sentTo('POST /api/v1/exceptions/exc2/justification').map((request) => request.body),
    ).toEqual([{ reason: 'The buyer asked for the demo first' }]);
    expect(
      renderer.find(Text, (text) => text.text === 'Reason: The buyer asked for the demo first'),
    ).toBeDefined();
  });

  it('a manager gives the reason for a justify exception on a deal they own, and only there', async () => {
    const ownDeal = buildException({ id: 'exc4', dealId: '504', mode: 'justify', ownerId: '13' });
    const backend = new FakeHubSpotFetch()
      .on('GET /api/v1/insights/filters', ok(managerFilters))
      .on('GET /api/v1/exceptions', ok({ items: [justifyException, ownDeal], nextCursor: null }));
    const renderer = await renderExceptions(backend);
    expect(renderer.findAll(TextArea).map((area) => area.props.name)).toEqual(['reason-exc4']);
  });

  it('the status filter and "Show more" page through the list with the cursor the service gave', async () => {
    const older = buildException({
      id: 'exc3',
      dealId: '503',
      status: 'approved',
      movedAt: '2026-11-01T10:00:00.000Z',
    });
    const backend = new FakeHubSpotFetch()
      .on('GET /api/v1/insights/filters', ok(managerFilters))
      .on(
        'GET /api/v1/exceptions',
        ok({ items: [approveException], nextCursor: null }),
        ok({ items: [approveException], nextCursor: 'cursor-1' }),
        ok({ items: [older], nextCursor: null }),
      );
    const renderer = await renderExceptions(backend);
    expect(renderer.maybeFindByTestId(Button, 'more-exceptions')).toBeNull();
    triggerWith(renderer.find(Select, { name: 'status' }), 'onChange', '');
    await settled(renderer);
    renderer.findByTestId(Button, 'more-exceptions').trigger('onClick');
    await renderer.waitFor(() => expect(rowsOf(renderer, 'exceptions')).toHaveLength(2), RENDER_WAIT);
    expect(backend.sentTo('GET /api/v1/exceptions').map((request) => request.query)).toEqual([
      { status: 'open' },
      {},
      { cursor: 'cursor-1' },
    ]);
    expect(renderer.findAll(Link).map((link) => link.text)).toEqual(['Deal 501', 'Deal 503']);
    expect(renderer.maybeFindByTestId(Button, 'more-exceptions')).toBeNull();
  });

  it('says so when no deal moved on with its SOP unmet, and shows a refused list plainly', async () => {
    const backend = new FakeHubSpotFetch()
      .on('GET /api/v1/insights/filters', ok(managerFilters))
      .on(
        'GET /api/v1/exceptions',
        ok({ items: [], nextCursor: null }),
        refused(400, 'BAD_REQUEST', 'Invalid query: status: Invalid option'),
      );
    const renderer = await renderExceptions(backend);
    expect(renderer.find(EmptyState).props.title).toBe('No exceptions');
    triggerWith(renderer.find(Select, { name: 'status' }), 'onChange', 'rejected');
    await settled(renderer);
    await renderer.waitFor(
      () =>
        expect(
          renderer.find(Text, (text) => text.text === 'Invalid query: status: Invalid option'),
        ).toBeDefined(),
      RENDER_WAIT,
    );
  });
});
