import {
  Alert,
  BarChart,
  Button,
  DateInput,
  ErrorState,
  LoadingSpinner,
  NumberInput,
  Select,
  StatisticsItem,
  Tag,
  Text,
} from '@hubspot/ui-extensions';
import type { ComplianceResponse, DemandResponse } from './insights-response.schema';
import { PageTitle } from '@hubspot/ui-extensions/pages';
import { FakeHubSpotFetch, never, ok, refused } from './testing/fake-hubspot-fetch';
import {
  managerFilters,
  renderPages,
  renderSettled,
  repFilters,
  rowsOf,
  settled,
  triggerWith,
  RENDER_WAIT,
} from './testing/pages.builders';

const nextTick = () => new Promise((resolve) => setTimeout(resolve, 0));

const counts = { open: 0, ready: 0, blocked: 0, stalled: 0, openExceptions: 0 };

const compliance: ComplianceResponse = {
  pipelineId: 'default',
  byStage: [
    {
      stageId: 'qualifiedtobuy',
      label: 'Qualified To Buy',
      stepId: 'qualification',
      ...counts,
      open: 2,
      blocked: 1,
      ready: 1,
      stalled: 1,
    },
    {
      stageId: 'contractsent',
      label: 'Contract Sent',
      stepId: 'negotiation',
      ...counts,
      open: 1,
      blocked: 1,
    },
  ],
  byOwner: [
    { ownerId: '11', name: 'Riley Rep', ...counts, open: 1, blocked: 1 },
    { ownerId: '12', name: 'Sam Seller', ...counts, open: 2, ready: 1, blocked: 1, stalled: 1 },
  ],
};

const demand: DemandResponse = {
  pipelineId: 'default',
  months: [
    {
      month: '2026-12',
      openDeals: 3,
      amount: 129500,
      weightedAmount: 105400,
      atRiskAmount: 88200,
      wonAmount: 0,
      capacity: 200000,
      gap: 94600,
    },
    { month: '2027-01', openDeals: 1, amount: 12000, weightedAmount: 2400, atRiskAmount: 0, wonAmount: 0 },
  ],
  withoutCloseDate: { openDeals: 1, amount: 0 },
};

describe('insights pages: overview', () => {
  it('a manager sees open deals by stage as a chart and a table, and by owner, for the default pipeline', async () => {
    const backend = new FakeHubSpotFetch()
      .on('GET /api/v1/insights/filters', ok(managerFilters))
      .on('GET /api/v1/insights/compliance', ok(compliance));
    const renderer = await renderSettled(backend);
    expect(rowsOf(renderer, 'by-stage')).toEqual([
      ['Qualified To Buy', '2', '1', '1', '1', '0'],
      ['Contract Sent', '1', '0', '1', '0', '0'],
    ]);
    // Most open deals first.
    expect(rowsOf(renderer, 'by-owner').map((row) => row[0])).toEqual(['Sam Seller', 'Riley Rep']);
    expect(renderer.find(BarChart).props.data).toHaveLength(6);
    expect(backend.sentTo('GET /api/v1/insights/compliance').map((request) => request.query)).toEqual([
      { pipelineId: 'default' },
    ]);
    expect(renderer.find(Select, { name: 'pipeline' }).props.options).toEqual([
      { label: 'Sales Pipeline', value: 'default' },
      { label: 'Renewals', value: 'renewals' },
    ]);
    expect(renderer.find(Select, { name: 'owner' }).props.options).toEqual([
      { label: 'All owners', value: '' },
      { label: 'Riley Rep', value: '11' },
      { label: 'Sam Seller', value: '12' },
    ]);
  });

  it("a manager's pipeline and owner choices become the request's pipelineId and ownerId", async () => {
    const backend = new FakeHubSpotFetch()
      .on('GET /api/v1/insights/filters', ok(managerFilters))
      .on('GET /api/v1/insights/compliance', ok(compliance));
    const renderer = await renderSettled(backend);
    triggerWith(renderer.find(Select, { name: 'pipeline' }), 'onChange', 'renewals');
    await settled(renderer);
    triggerWith(renderer.find(Select, { name: 'owner' }), 'onChange', '11');
    await renderer.waitFor(
      () =>
        expect(backend.sentTo('GET /api/v1/insights/compliance').map((request) => request.query)).toEqual([
          { pipelineId: 'default' },
          { pipelineId: 'renewals' },
          { pipelineId: 'renewals', ownerId: '11' },
        ]),
      RENDER_WAIT,
    );
  });

  it('a rep has no owner filter and is told the figures are their own deals', async () => {
    const backend = new FakeHubSpotFetch()
      .on('GET /api/v1/insights/filters', ok(repFilters))
      .on('GET /api/v1/insights/compliance', ok({ ...compliance, byOwner: [compliance.byOwner[0]] }));
    const renderer = await renderSettled(backend);
    expect(renderer.findAll(Select).map((select) => select.props.name)).toEqual(['pipeline']);
    expect(renderer.find(Text, (text) => text.text === 'Your open deals.')).toBeDefined();
    expect(rowsOf(renderer, 'by-owner').map((row) => row[0])).toEqual(['Riley Rep']);
  });

  it("a refused request shows the service's message", async () => {
    const backend = new FakeHubSpotFetch()
      .on('GET /api/v1/insights/filters', ok(managerFilters))
      .on(
        'GET /api/v1/insights/compliance',
        refused(404, 'NOT_FOUND', 'pipelineId: no deal pipeline "x" in this portal'),
      );
    const renderer = await renderSettled(backend);
    expect(renderer.find(ErrorState).find(Text).text).toBe('pipelineId: no deal pipeline "x" in this portal');
  });

  it('the pages show why they cannot start when the filters cannot be read', async () => {
    const backend = new FakeHubSpotFetch().on(
      'GET /api/v1/insights/filters',
      refused(404, 'NOT_FOUND', 'SOP Guide is not installed in portal 62515'),
    );
    const renderer = await renderSettled(backend);
    expect(renderer.find(ErrorState).find(Text).text).toBe('SOP Guide is not installed in portal 62515');
    expect(backend.sentTo('GET /api/v1/insights/compliance')).toEqual([]);
  });
});

describe('insights pages: outcomes', () => {
  it('marks small groups as too few, never as a bare percentage', async () => {
    const backend = new FakeHubSpotFetch().on('GET /api/v1/insights/filters', ok(repFilters)).on(
      'GET /api/v1/insights/outcomes',
      ok({
        pipelineId: 'default',
        from: '2026-09-01',
        to: '2026-11-30',
        overall: { closed: 7, won: 4, winRate: 0.571, medianCycleDays: 35 },
        bySteps: [
          {
            stepId: 'qualification',
            completed: { closed: 5, won: 4, winRate: 0.8, medianCycleDays: 30 },
            notCompleted: { closed: 2, won: 0, winRate: null, medianCycleDays: null, tooFew: true },
          },
        ],
        byPlaybookVersion: [{ playbookVersion: 2, closed: 7, won: 4, winRate: 0.571, medianCycleDays: 35 }],
        timeInStep: [{ stepId: 'qualification', medianDays: 8, p90Days: 14, n: 7 }],
      }),
    );
    const renderer = await renderSettled(backend, '/outcomes');
    expect(renderer.find(StatisticsItem, { label: 'Win rate' }).props.number).toBe('57%');
    const [qualification] = rowsOf(renderer, 'by-step');
    expect(qualification).toEqual(['qualification', '5', '80%', '30 d', '2', 'Too few deals', '—']);
    expect(renderer.findAll(Tag).map((tag) => tag.text)).toEqual(['Too few deals']);
    expect(rowsOf(renderer, 'time-in-step')).toEqual([['qualification', '7', '8 d', '14 d']]);
  });

  it('the pipeline and the closing window chosen become pipelineId, from and to', async () => {
    const backend = new FakeHubSpotFetch().on('GET /api/v1/insights/filters', ok(managerFilters)).on(
      'GET /api/v1/insights/outcomes',
      ok({
        pipelineId: 'default',
        from: '2026-09-01',
        to: '2026-11-30',
        overall: { closed: 0, won: 0, winRate: null, medianCycleDays: null, tooFew: true },
        bySteps: [],
        byPlaybookVersion: [],
        timeInStep: [],
      }),
    );
    const renderer = await renderSettled(backend, '/outcomes');
    expect(
      renderer.find(Text, (text) => text.text === 'Deals closed from 2026-09-01 to 2026-11-30'),
    ).toBeDefined();
    triggerWith(renderer.find(Select, { name: 'pipeline' }), 'onChange', 'renewals');
    await settled(renderer);
    // HubSpot's DateInput counts months from 0: 6 is July.
    triggerWith(renderer.find(DateInput, { name: 'from' }), 'onChange', { year: 2026, month: 6, date: 1 });
    await settled(renderer);
    triggerWith(renderer.find(DateInput, { name: 'to' }), 'onChange', { year: 2026, month: 8, date: 30 });
    await renderer.waitFor(
      () =>
        expect(backend.sentTo('GET /api/v1/insights/outcomes').map((request) => request.query)).toEqual([
          { pipelineId: 'default' },
          { pipelineId: 'renewals' },
          { pipelineId: 'renewals', from: '2026-07-01' },
          { pipelineId: 'renewals', from: '2026-07-01', to: '2026-09-30' },
        ]),
      RENDER_WAIT,
    );
  });
});

describe('insights pages: demand', () => {
  it('shows each month with weighted, at-risk and won amounts and the gap to capacity, in the table and the chart', async () => {
    const backend = new FakeHubSpotFetch()
      .on('GET /api/v1/insights/filters', ok(repFilters))
      .on('GET /api/v1/insights/demand', ok(demand));
    const renderer = await renderSettled(backend, '/demand');
    expect(rowsOf(renderer, 'demand-months')).toEqual([
      ['2026-12', '3', '129,500', '105,400', '88,200', '0', '200,000', '94,600'],
      ['2027-01', '1', '12,000', '2,400', '0', '0', '—', '—'],
    ]);
    const chart = renderer.find(BarChart).props.data as Array<Record<string, unknown>>;
    expect(chart.filter((row) => row.month === '2026-12').map((row) => [row.figure, row.amount])).toEqual([
      ['Weighted', 105400],
      ['At risk', 88200],
      ['Won', 0],
      ['Capacity', 200000],
      ['Gap', 94600],
    ]);
    expect(chart.filter((row) => row.month === '2027-01').map((row) => row.figure)).toEqual([
      'Weighted',
      'At risk',
      'Won',
    ]);
    expect(backend.sentTo('GET /api/v1/insights/demand').map((request) => request.query)).toEqual([
      { pipelineId: 'default', months: '6' },
    ]);
    // Capacity is a manager's to plan.
    expect(renderer.findAll(NumberInput)).toEqual([]);
    expect(renderer.maybeFindByTestId(Button, 'save-capacity')).toBeNull();
  });

  it("a manager sets a month's capacity; the page sends it and shows the gap the service works out", async () => {
    const planned: DemandResponse = {
      ...demand,
      months: [demand.months[0]!, { ...demand.months[1]!, capacity: 50000, gap: 47600 }],
    };
    const backend = new FakeHubSpotFetch()
      .on('GET /api/v1/insights/filters', ok(managerFilters))
      .on('GET /api/v1/insights/demand', ok(demand), ok(planned))
      .on(
        'PUT /api/v1/insights/capacity',
        ok({
          months: [
            { month: '2026-12', amount: 200000 },
            { month: '2027-01', amount: 50000 },
          ],
        }),
      );
    const renderer = await renderSettled(backend, '/demand');
    expect(renderer.find(NumberInput, { name: 'capacity-2026-12' }).props.value).toBe(200000);
    triggerWith(renderer.find(NumberInput, { name: 'capacity-2027-01' }), 'onChange', 50000);
    renderer.findByTestId(Button, 'save-capacity').trigger('onClick');
    await renderer.waitFor(
      () => expect(backend.sentTo('GET /api/v1/insights/demand')).toHaveLength(2),
      RENDER_WAIT,
    );
    await settled(renderer);
    expect(renderer.findByTestId(Alert, 'capacity-saved')).toBeDefined();
    expect(backend.sentTo('PUT /api/v1/insights/capacity').map((request) => request.body)).toEqual([
      {
        months: [
          { month: '2026-12', amount: 200000 },
          { month: '2027-01', amount: 50000 },
        ],
      },
    ]);
    expect(rowsOf(renderer, 'demand-months')[1]).toEqual([
      '2027-01',
      '1',
      '12,000',
      '2,400',
      '0',
      '0',
      '50,000',
      '47,600',
    ]);
  });

  it("a refused capacity shows the service's message and keeps what the manager typed", async () => {
    const backend = new FakeHubSpotFetch()
      .on('GET /api/v1/insights/filters', ok(managerFilters))
      .on('GET /api/v1/insights/demand', ok(demand))
      .on(
        'PUT /api/v1/insights/capacity',
        refused(
          403,
          'FORBIDDEN',
          "Only the portal's super admins and the users listed in MANAGER_USER_IDS can change the playbook.",
        ),
      );
    const renderer = await renderSettled(backend, '/demand');
    triggerWith(renderer.find(NumberInput, { name: 'capacity-2027-01' }), 'onChange', 75000);
    renderer.findByTestId(Button, 'save-capacity').trigger('onClick');
    await renderer.waitFor(
      () => expect(renderer.findByTestId(Alert, 'capacity-error').text).toContain('super admins'),
      RENDER_WAIT,
    );
    expect(renderer.find(NumberInput, { name: 'capacity-2027-01' }).props.value).toBe(75000);
    expect(backend.sentTo('GET /api/v1/insights/demand')).toHaveLength(1);
  });
});

const pageRoutes = [
  ['/', 'GET /api/v1/insights/compliance'],
  ['/exceptions', 'GET /api/v1/exceptions'],
  ['/outcomes', 'GET /api/v1/insights/outcomes'],
  ['/demand', 'GET /api/v1/insights/demand'],
];

describe('insights pages: every page while loading and when refused', () => {
  it.each(pageRoutes)('%s shows a spinner while its figures load', async (path, route) => {
    const backend = new FakeHubSpotFetch()
      .on('GET /api/v1/insights/filters', ok(managerFilters))
      .on(route, never());
    const renderer = renderPages(backend, path);
    // The renderer re-checks only on a render: the page's title comes once the filters are in, and the
    // figures are asked for by an effect after that render, which a loaded machine may run a few
    // timer turns later (one turn was not always enough: CI saw the request not yet sent).
    await renderer.waitFor(() => expect(renderer.find(PageTitle)).toBeDefined(), RENDER_WAIT);
    const deadline = Date.now() + RENDER_WAIT.timeoutInMs;
    while (backend.sentTo(route).length === 0 && Date.now() < deadline) await nextTick();
    expect(backend.sentTo(route)).toHaveLength(1);
    expect(renderer.find(LoadingSpinner).props.label).toBe('Loading the figures');
    expect(renderer.maybeFind(ErrorState)).toBeNull();
  });

  it.each(pageRoutes)("%s shows the service's refusal in its own words", async (path, route) => {
    const backend = new FakeHubSpotFetch()
      .on('GET /api/v1/insights/filters', ok(managerFilters))
      .on(route, refused(500, 'INTERNAL', 'The database did not answer in time.'));
    const renderer = await renderSettled(backend, path);
    expect(renderer.find(ErrorState).find(Text).text).toBe('The database did not answer in time.');
  });
});
