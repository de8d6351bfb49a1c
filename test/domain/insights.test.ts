import {
  judgeClosedOutcome,
  listMonths,
  median,
  percentile,
  readStageVisits,
  summarizeClosedDeal,
  summarizeDemand,
  summarizeOutcomes,
  type OutcomeHistogramRow,
  type ClosedDealInput,
} from '../../src/domain';

const day = (d: number) => new Date(Date.UTC(2026, 9, d, 12)).toISOString(); // 2026-10-<d> 12:00Z
const stage = (id: string, probability: number | null, isClosed: boolean) => ({
  id,
  label: id,
  probability,
  isClosed,
});
const STAGES = ['appointmentscheduled', 'qualifiedtobuy', 'closedwon', 'closedlost'];

function closedDealInput(overrides: Partial<ClosedDealInput> = {}): ClosedDealInput {
  return {
    closedStage: stage('closedwon', 1, true),
    properties: {
      amount: '1000',
      closedate: day(20),
      createdate: day(1),
      hs_v2_date_entered_appointmentscheduled: day(1),
      hs_v2_date_exited_appointmentscheduled: day(4),
      hs_v2_date_entered_qualifiedtobuy: day(4),
      hs_v2_date_exited_qualifiedtobuy: day(11),
      hs_v2_date_entered_closedwon: day(11),
    },
    stageIds: STAGES,
    stepAt: (stageId) =>
      stageId === 'appointmentscheduled'
        ? { stepId: 'prospecting', requiredActionIds: ['research'] }
        : stageId === 'qualifiedtobuy'
          ? { stepId: 'qualification', requiredActionIds: ['call', 'budget'] }
          : null,
    ticks: [
      {
        stageEnteredAt: new Date(day(1)),
        stepId: 'prospecting',
        actionId: 'research',
        done: true,
        at: new Date(day(2)),
      },
      {
        stageEnteredAt: new Date(day(4)),
        stepId: 'qualification',
        actionId: 'call',
        done: true,
        at: new Date(day(5)),
      },
      // Ticked after the deal had left the step: too late to count.
      {
        stageEnteredAt: new Date(day(4)),
        stepId: 'qualification',
        actionId: 'budget',
        done: true,
        at: new Date(day(12)),
      },
    ],
    appInUseSince: new Date(day(1)),
    observedAt: new Date(day(25)),
    ...overrides,
  };
}

describe('closed outcomes from pipeline metadata', () => {
  it('a closed stage with probability 1 is won, 0 lost, an open stage neither', () => {
    expect(judgeClosedOutcome(stage('signed', 1, true))).toBe('won');
    expect(judgeClosedOutcome(stage('gone', 0, true))).toBe('lost');
    expect(judgeClosedOutcome(stage('contractsent', 0.9, false))).toBeNull();
  });

  it("falls back on HubSpot's closedwon and closedlost ids when the stage has no probability", () => {
    expect(judgeClosedOutcome(stage('closedwon', null, true))).toBe('won');
    expect(judgeClosedOutcome(stage('closedlost', null, true))).toBe('lost');
  });
});

describe('a closed deal summarised from its stage timing properties', () => {
  it('counts days per step, cycle days from creation, and which steps were completed before the deal left them', () => {
    const facts = summarizeClosedDeal(closedDealInput());
    expect(facts).toEqual({
      outcome: 'won',
      amount: 1000,
      closeDate: new Date(day(20)),
      closedAt: new Date(day(11)),
      cycleDays: 10,
      steps: [
        { stepId: 'prospecting', days: 3, completed: true },
        { stepId: 'qualification', days: 7, completed: false },
      ],
    });
  });

  it('a step left before the app was in use is neither completed nor not', () => {
    const facts = summarizeClosedDeal(closedDealInput({ appInUseSince: new Date(day(6)) }));
    expect(facts?.steps).toEqual([
      { stepId: 'prospecting', days: 3, completed: null },
      { stepId: 'qualification', days: 7, completed: false },
    ]);
  });

  it('a deal without amount, close date or creation date still closes: the close date is when it closed', () => {
    const input = closedDealInput();
    const facts = summarizeClosedDeal({
      ...input,
      properties: { ...input.properties, amount: null, closedate: '', createdate: null },
    });
    expect(facts).toMatchObject({ amount: null, closeDate: new Date(day(11)), cycleDays: null });
  });

  it('a stage without an exit date is left when the next one is entered', () => {
    expect(
      readStageVisits(
        { hs_v2_date_entered_a: day(1), hs_v2_date_entered_b: day(3), hs_v2_date_exited_b: day(5) },
        ['b', 'a', 'c'],
      ),
    ).toEqual([
      { stageId: 'a', enteredAt: new Date(day(1)), exitedAt: new Date(day(3)) },
      { stageId: 'b', enteredAt: new Date(day(3)), exitedAt: new Date(day(5)) },
    ]);
  });

  it('an open stage is no outcome', () => {
    expect(
      summarizeClosedDeal(closedDealInput({ closedStage: stage('contractsent', 0.9, false) })),
    ).toBeNull();
  });
});

const once = (...values: number[]) => values.map((value) => ({ value, count: 1 }));

describe('medians and percentiles of histograms', () => {
  it('the median of an even count is the mean of the two middle values; p90 is a value that occurred', () => {
    expect(median(once(4, 1, 3, 2))).toBe(2.5);
    expect(median(once(5, 1, 3))).toBe(3);
    expect(median([])).toBeNull();
    // Nearest rank: ceil(0.9 × 10) = the 9th of 10.
    expect(percentile(once(10, 1, 2, 3, 4, 5, 6, 7, 8, 9), 0.9)).toBe(9);
    expect(percentile(once(7), 0.9)).toBe(7);
  });

  it('counts weigh: a bucket holding several deals counts each of them', () => {
    // 1, 1, 1, 5, 9, 9: the middle two are 1 and 5.
    expect(
      median([
        { value: 9, count: 2 },
        { value: 1, count: 3 },
        { value: 5, count: 1 },
      ]),
    ).toBe(3);
    // ceil(0.9 × 6) = the 6th: 9. Empty buckets (a change undone) count for nothing.
    expect(
      percentile(
        [
          { value: 9, count: 2 },
          { value: 1, count: 4 },
          { value: 20, count: 0 },
        ],
        0.9,
      ),
    ).toBe(9);
  });
});

/**
 * One closed deal as the database sums it into histogram rows: its cycle under its playbook version, its
 * cycle by whether it completed qualification (when judged), and its days in qualification.
 */
function deal(
  outcome: 'won' | 'lost',
  cycleDays: number | null,
  playbookVersion: number | null,
  qualification: { days: number; completed: boolean | null } | null,
): OutcomeHistogramRow[] {
  const won = outcome === 'won' ? 1 : 0;
  const rows: OutcomeHistogramRow[] = [
    {
      kind: 'cycle',
      group: playbookVersion === null ? '' : String(playbookVersion),
      days: cycleDays,
      deals: 1,
      won,
    },
  ];
  if (qualification) {
    rows.push({ kind: 'step-days', group: 'qualification', days: qualification.days, deals: 1, won });
    if (qualification.completed !== null) {
      const group = `qualification:${qualification.completed ? 1 : 0}`;
      rows.push({ kind: 'step-cycle', group, days: cycleDays, deals: 1, won });
    }
  }
  return rows;
}

describe('outcomes of a group of closed deals', () => {
  // Seven deals: five completed qualification (4 won), two did not (0 won); five ran under v2, two under v3.
  const deals = [
    deal('won', 10, 2, { days: 2, completed: true }),
    deal('won', 20, 2, { days: 4, completed: true }),
    deal('won', 30, 2, { days: 6, completed: true }),
    deal('won', 40, 2, { days: 8, completed: true }),
    deal('lost', 50, 2, { days: 10, completed: true }),
    deal('lost', 60, 3, { days: 12, completed: false }),
    deal('lost', null, 3, { days: 14, completed: false }),
  ];

  it('win rate and median cycle overall, per step completion and per playbook version; small groups are too few', () => {
    const summary = summarizeOutcomes(deals.flat(), ['prospecting', 'qualification']);
    // 4 of 7 won; the median of the six known cycles 10..60 is (30 + 40) / 2.
    expect(summary.overall).toEqual({ closed: 7, won: 4, winRate: 0.571, medianCycleDays: 35 });
    expect(summary.bySteps).toEqual([
      {
        stepId: 'qualification',
        completed: { closed: 5, won: 4, winRate: 0.8, medianCycleDays: 30 },
        notCompleted: { closed: 2, won: 0, winRate: null, medianCycleDays: null, tooFew: true },
      },
    ]);
    expect(summary.byPlaybookVersion).toEqual([
      { playbookVersion: 2, closed: 5, won: 4, winRate: 0.8, medianCycleDays: 30 },
      { playbookVersion: 3, closed: 2, won: 0, winRate: null, medianCycleDays: null, tooFew: true },
    ]);
    // Days 2..14: the median is 8; p90 is the ceil(6.3) = 7th value, 14.
    expect(summary.timeInStep).toEqual([{ stepId: 'qualification', medianDays: 8, p90Days: 14, n: 7 }]);
  });

  it('no closed deals: zero counts, too few everywhere, no steps', () => {
    expect(summarizeOutcomes([], ['qualification'])).toEqual({
      overall: { closed: 0, won: 0, winRate: null, medianCycleDays: null, tooFew: true },
      bySteps: [],
      byPlaybookVersion: [],
      timeInStep: [],
    });
  });
});

describe('the S&OP demand view', () => {
  it('sums amounts by close month, weights them by stage probability, and shows the stalled part and the gap to capacity', () => {
    const probabilities: Record<string, number> = { qualifiedtobuy: 0.4, contractsent: 0.9 };
    const summary = summarizeDemand({
      months: listMonths(new Date('2026-11-30T23:00:00Z'), 3),
      openDeals: [
        { stageId: 'qualifiedtobuy', closeMonth: '2026-11', atRisk: false, deals: 1, amount: 1000 },
        { stageId: 'contractsent', closeMonth: '2026-11', atRisk: true, deals: 1, amount: 2000 },
        // A deal without an amount counts as a deal and adds nothing.
        { stageId: 'contractsent', closeMonth: '2026-12', atRisk: false, deals: 1, amount: 0 },
        { stageId: 'qualifiedtobuy', closeMonth: '2027-01', atRisk: true, deals: 1, amount: 500 },
        { stageId: 'qualifiedtobuy', closeMonth: null, atRisk: false, deals: 1, amount: 700 },
        // Outside the months asked for.
        { stageId: 'qualifiedtobuy', closeMonth: '2027-05', atRisk: false, deals: 1, amount: 9999 },
      ],
      probabilityOf: (stageId) => probabilities[stageId] ?? 0,
      wonAmountByMonth: new Map([['2026-11', 1500]]),
      capacityByMonth: new Map([['2026-11', 3000]]),
    });
    expect(summary).toEqual({
      months: [
        // 1000 × 0.4 + 2000 × 0.9 = 2200 weighted; the stalled deal's 1800 at risk; gap 3000 − 2200.
        {
          month: '2026-11',
          openDeals: 2,
          amount: 3000,
          weightedAmount: 2200,
          atRiskAmount: 1800,
          wonAmount: 1500,
          capacity: 3000,
          gap: 800,
        },
        { month: '2026-12', openDeals: 1, amount: 0, weightedAmount: 0, atRiskAmount: 0, wonAmount: 0 },
        // At risk (stalled or with open exceptions): 500 × 0.4.
        { month: '2027-01', openDeals: 1, amount: 500, weightedAmount: 200, atRiskAmount: 200, wonAmount: 0 },
      ],
      withoutCloseDate: { openDeals: 1, amount: 700 },
    });
  });
});
