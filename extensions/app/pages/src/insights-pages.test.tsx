import {
  BarChart,
  ErrorState,
  LoadingSpinner,
  Select,
  StatisticsItem,
  Table,
  TableCell,
  TableRow,
  Tag,
  Text,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { InsightsApiError } from './insights-client';
import { InsightsPages } from './insights-pages';
import { FakeInsightsClient } from './testing/fake-insights-client';

async function renderPage(client: FakeInsightsClient, path = '/') {
  const renderer = createRenderer('pages');
  renderer.mocks.setPageLocation({ path, params: {} });
  renderer.render(<InsightsPages client={client} />);
  await renderer.waitFor(() => expect(renderer.maybeFind(LoadingSpinner)).toBeNull());
  return renderer;
}

/** A table's body as text, row by row. */
function rowsOf(renderer: ReturnType<typeof createRenderer>, testId: string): string[][] {
  const table = renderer.findByTestId(Table, testId);
  return table
    .findAll(TableRow)
    .slice(1)
    .map((row) => row.findAll(TableCell).map((cell) => cell.findAll(Tag)[0]?.text ?? cell.text ?? ''));
}

const counts = { open: 0, ready: 0, blocked: 0, stalled: 0, openExceptions: 0 };

describe('insights pages', () => {
  it('the overview shows open deals by stage as a chart and a table, and by owner', async () => {
    const client = new FakeInsightsClient();
    client.compliance = {
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
    const renderer = await renderPage(client);
    expect(rowsOf(renderer, 'by-stage')).toEqual([
      ['Qualified To Buy', '2', '1', '1', '1', '0'],
      ['Contract Sent', '1', '0', '1', '0', '0'],
    ]);
    // Most open deals first.
    expect(rowsOf(renderer, 'by-owner').map((row) => row[0])).toEqual(['Sam Seller', 'Riley Rep']);
    expect(renderer.find(BarChart).props.data).toHaveLength(6);
  });

  it("choosing an owner asks for that owner's deals", async () => {
    const client = new FakeInsightsClient();
    client.compliance = {
      pipelineId: 'default',
      byStage: [],
      byOwner: [{ ownerId: '11', name: 'Riley Rep', ...counts, open: 1 }],
    };
    const renderer = await renderPage(client);
    renderer.find(Select).trigger('onChange', '11' as never);
    await renderer.waitFor(() => expect(client.complianceFilters.at(-1)).toEqual({ ownerId: '11' }));
  });

  it('outcomes mark small groups as too few, never as a bare percentage', async () => {
    const client = new FakeInsightsClient();
    client.outcomes = {
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
    };
    const renderer = await renderPage(client, '/outcomes');
    expect(renderer.find(StatisticsItem, { label: 'Win rate' }).props.number).toBe('57%');
    const [qualification] = rowsOf(renderer, 'by-step');
    expect(qualification).toEqual(['qualification', '5', '80%', '30 d', '2', 'Too few deals', '—']);
    expect(renderer.findAll(Tag).map((tag) => tag.text)).toEqual(['Too few deals']);
    expect(rowsOf(renderer, 'time-in-step')).toEqual([['qualification', '7', '8 d', '14 d']]);
  });

  it('demand shows each month with weighted, at-risk and won amounts and the gap to capacity', async () => {
    const client = new FakeInsightsClient();
    client.demand = {
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
        {
          month: '2027-01',
          openDeals: 1,
          amount: 12000,
          weightedAmount: 2400,
          atRiskAmount: 0,
          wonAmount: 0,
        },
      ],
      withoutCloseDate: { openDeals: 1, amount: 0 },
    };
    const renderer = await renderPage(client, '/demand');
    expect(rowsOf(renderer, 'demand-months')).toEqual([
      ['2026-12', '3', '129,500', '105,400', '88,200', '0', '200,000', '94,600'],
      ['2027-01', '1', '12,000', '2,400', '0', '0', '—', '—'],
    ]);
    expect(renderer.find(BarChart).props.data).toHaveLength(6);
  });

  it("a refused request shows the service's message", async () => {
    const client = new FakeInsightsClient();
    client.demand = new InsightsApiError('pipelineId: no deal pipeline "x" in this portal');
    const renderer = await renderPage(client, '/demand');
    expect(renderer.find(ErrorState).find(Text).text).toBe('pipelineId: no deal pipeline "x" in this portal');
  });
});
