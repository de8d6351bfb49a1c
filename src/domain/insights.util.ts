/**
 * The managers' figures (DESIGN.md §7 "Insights"): what a closed deal's history says (won or lost, how
 * long it took, which steps' required actions were done before it left them), and how groups of deals
 * sum up. Pure: every time is passed in.
 */
import { parseHubSpotDate, parseHubSpotNumber } from './check-rules.util';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A group with fewer closed deals than this shows no rate: "too few", never a bare percentage. */
export const MIN_DEALS_PER_GROUP = 5;

export type ClosedOutcome = 'won' | 'lost';

export interface PipelineStageFacts {
  id: string;
  label: string;
  /** 0..1 from HubSpot's stage metadata; null when the stage has none. */
  probability: number | null;
  isClosed: boolean;
}

/**
 * Won or lost, from HubSpot's stage metadata: a closed stage with probability 1 is won, 0 lost. A closed
 * stage without a probability falls back on HubSpot's default ids. Null for an open stage.
 */
export function judgeClosedOutcome(stage: PipelineStageFacts): ClosedOutcome | null {
  if (!stage.isClosed) return null;
  if (stage.probability === 1) return 'won';
  if (stage.probability === 0) return 'lost';
  if (stage.id === 'closedwon') return 'won';
  if (stage.id === 'closedlost') return 'lost';
  return stage.probability !== null && stage.probability >= 0.5 ? 'won' : 'lost';
}

export interface StageVisit {
  stageId: string;
  enteredAt: Date;
  /** Null for the stage the deal is in. */
  exitedAt: Date | null;
}

/**
 * The stages a deal went through, oldest first, from HubSpot's `hs_v2_date_entered_<stage>` and
 * `hs_v2_date_exited_<stage>` (the latest visit of each stage: HubSpot keeps no more). A stage without
 * an exit date is left when the next one is entered.
 */
export function readStageVisits(
  properties: Readonly<Record<string, string | null | undefined>>,
  stageIds: readonly string[],
): StageVisit[] {
  const visits = stageIds
    .map((stageId) => {
      const entered = properties[`hs_v2_date_entered_${stageId}`];
      const exited = properties[`hs_v2_date_exited_${stageId}`];
      return {
        stageId,
        enteredAt: entered ? parseHubSpotDate(entered) : null,
        exitedAt: exited ? parseHubSpotDate(exited) : null,
      };
    })
    .filter((visit): visit is StageVisit => visit.enteredAt !== null)
    .sort((a, b) => a.enteredAt.getTime() - b.enteredAt.getTime());
  return visits.map((visit, index) => ({
    ...visit,
    exitedAt:
      visit.exitedAt && visit.exitedAt.getTime() >= visit.enteredAt.getTime()
        ? visit.exitedAt
        : (visits[index + 1]?.enteredAt ?? null),
  }));
}

/** The step a stage entry was judged by, and what that step required, under the version in force then. */
export interface StepAtEntry {
  stepId: string;
  requiredActionIds: readonly string[];
}

export interface TickedAction {
  stageEnteredAt: Date;
  stepId: string;
  actionId: string;
  done: boolean;
  at: Date;
}

export interface ClosedStepFacts {
  stepId: string;
  /** Days spent in the step's stages. */
  days: number;
  /**
   * Every required action of the step done before the deal left it (its last stage entry in the step);
   * null when it left the step before the app was in use, so nobody could tick anything.
   */
  completed: boolean | null;
}

export interface ClosedDealFacts {
  outcome: ClosedOutcome;
  amount: number | null;
  /** HubSpot's close date (the expected or actual one the rep keeps), else when it entered the closed stage. */
  closeDate: Date;
  closedAt: Date;
  /** From creation to the closed stage; null when HubSpot gave no creation date. */
  cycleDays: number | null;
  steps: ClosedStepFacts[];
}

export interface ClosedDealInput {
  closedStage: PipelineStageFacts;
  properties: Readonly<Record<string, string | null | undefined>>;
  /** The pipeline's stage ids (the properties hold one entry date per stage). */
  stageIds: readonly string[];
  /** The step a stage maps to under the version in force when the deal entered it; null for no step. */
  stepAt: (stageId: string, enteredAt: Date) => StepAtEntry | null;
  /** The deal's checklist, folded (latest state per stage entry, step and action). */
  ticks: readonly TickedAction[];
  /** Since when reps could tick actions (the portal's first playbook); null when never. */
  appInUseSince: Date | null;
  /** When the service learned the deal was closed: the last resort for the close time. */
  observedAt: Date;
}

/** What a closed deal's history says; null when the stage is not closed. */
export function summarizeClosedDeal(input: ClosedDealInput): ClosedDealFacts | null {
  const outcome = judgeClosedOutcome(input.closedStage);
  if (outcome === null) return null;
  const { properties } = input;
  const visits = readStageVisits(properties, input.stageIds);
  const closedVisit = visits.find((visit) => visit.stageId === input.closedStage.id);
  const closedAt = closedVisit?.enteredAt ?? input.observedAt;
  const closeDateText = properties.closedate;
  const closeDate = (closeDateText ? parseHubSpotDate(closeDateText) : null) ?? closedAt;
  const createdText = properties.createdate;
  const createdAt = createdText ? parseHubSpotDate(createdText) : null;
  const amountText = properties.amount;
  const amount = amountText ? parseHubSpotNumber(amountText) : null;

  const steps = new Map<string, { days: number; lastVisit: StageVisit; required: readonly string[] }>();
  for (const visit of visits) {
    if (visit.stageId === input.closedStage.id || visit.exitedAt === null) continue;
    const step = input.stepAt(visit.stageId, visit.enteredAt);
    if (step === null) continue;
    const days = (visit.exitedAt.getTime() - visit.enteredAt.getTime()) / DAY_MS;
    const known = steps.get(step.stepId);
    steps.set(step.stepId, {
      days: (known?.days ?? 0) + days,
      lastVisit: visit,
      required: step.requiredActionIds,
    });
  }
  return {
    outcome,
    amount,
    closeDate,
    closedAt,
    cycleDays: createdAt ? Math.max(0, closedAt.getTime() - createdAt.getTime()) / DAY_MS : null,
    steps: [...steps].map(([stepId, step]) => ({
      stepId,
      days: step.days,
      completed: judgeStepCompleted(stepId, step.lastVisit, step.required, input.ticks, input.appInUseSince),
    })),
  };
}

function judgeStepCompleted(
  stepId: string,
  visit: StageVisit,
  requiredActionIds: readonly string[],
  ticks: readonly TickedAction[],
  appInUseSince: Date | null,
): boolean | null {
  const leftAt = visit.exitedAt;
  if (leftAt === null || appInUseSince === null || leftAt.getTime() < appInUseSince.getTime()) return null;
  return requiredActionIds.every((actionId) =>
    ticks.some(
      (tick) =>
        tick.stepId === stepId &&
        tick.actionId === actionId &&
        tick.stageEnteredAt.getTime() === visit.enteredAt.getTime() &&
        tick.done &&
        tick.at.getTime() <= leftAt.getTime(),
    ),
  );
}

/** `2026-12`: the month a time falls in, in UTC. */
export function formatMonth(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** `count` months from the month of `start`, oldest first. */
export function listMonths(start: Date, count: number): string[] {
  const months: string[] = [];
  for (let i = 0; i < count; i += 1) {
    months.push(formatMonth(new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + i, 1))));
  }
  return months;
}

/** `count` occurrences of `value`: a histogram bucket. */
export interface CountedValue {
  value: number;
  count: number;
}

/** The value at 0-based `rank` of the sorted occurrences. */
function valueAtRank(sorted: readonly CountedValue[], rank: number): number {
  let seen = 0;
  for (const entry of sorted) {
    seen += entry.count;
    if (rank < seen) return entry.value;
  }
  return sorted.at(-1)!.value;
}

function sortCounted(values: readonly CountedValue[]): { sorted: CountedValue[]; total: number } {
  const sorted = values.filter((entry) => entry.count > 0).sort((a, b) => a.value - b.value);
  return { sorted, total: sorted.reduce((sum, entry) => sum + entry.count, 0) };
}

/** The middle value (the mean of the two middle ones for an even count); null for none. */
export function median(values: readonly CountedValue[]): number | null {
  const { sorted, total } = sortCounted(values);
  if (total === 0) return null;
  const middle = Math.floor(total / 2);
  return total % 2 === 1
    ? valueAtRank(sorted, middle)
    : (valueAtRank(sorted, middle - 1) + valueAtRank(sorted, middle)) / 2;
}

/** Nearest-rank percentile (`fraction` 0..1): a value that occurred, never an interpolation. */
export function percentile(values: readonly CountedValue[], fraction: number): number | null {
  const { sorted, total } = sortCounted(values);
  if (total === 0) return null;
  return valueAtRank(sorted, Math.max(0, Math.ceil(fraction * total) - 1));
}

/** Days shown with one decimal: finer is noise. */
function roundDays(days: number | null): number | null {
  return days === null ? null : Math.round(days * 10) / 10;
}

export interface OutcomeFigures {
  closed: number;
  won: number;
  /** Null when the group has too few deals. */
  winRate: number | null;
  medianCycleDays: number | null;
  tooFew?: true;
}

/**
 * Closed deals of a window summed by the database into histograms (never a row per deal):
 * - `cycle`: per playbook version (`group`, '' for none), deals by cycle days;
 * - `step-cycle`: per step and whether it was completed (`group` = `step:1` / `step:0`), deals by cycle days;
 * - `step-days`: per step (`group`), deals by days spent in it.
 * `days` is the mean of the bucket's deals (a bucket is a tenth of a day below one day, 10% wide above);
 * null when unknown.
 */
export interface OutcomeHistogramRow {
  kind: 'cycle' | 'step-cycle' | 'step-days';
  group: string;
  days: number | null;
  deals: number;
  won: number;
}

export function summarizeGroup(rows: readonly OutcomeHistogramRow[]): OutcomeFigures {
  const closed = rows.reduce((sum, row) => sum + row.deals, 0);
  const won = rows.reduce((sum, row) => sum + row.won, 0);
  if (closed < MIN_DEALS_PER_GROUP) {
    return { closed, won, winRate: null, medianCycleDays: null, tooFew: true };
  }
  const cycles = rows.flatMap((row) => (row.days === null ? [] : [{ value: row.days, count: row.deals }]));
  return {
    closed,
    won,
    winRate: Math.round((won / closed) * 1000) / 1000,
    medianCycleDays: roundDays(median(cycles)),
  };
}

export interface OutcomesSummary {
  overall: OutcomeFigures;
  bySteps: Array<{ stepId: string; completed: OutcomeFigures; notCompleted: OutcomeFigures }>;
  byPlaybookVersion: Array<OutcomeFigures & { playbookVersion: number | null }>;
  timeInStep: Array<{
    stepId: string;
    medianDays: number | null;
    p90Days: number | null;
    n: number;
    tooFew?: true;
  }>;
}

/**
 * The outcomes page: win rate and cycle time overall, for deals that completed each step vs those that
 * did not (deals that left a step before the app was in use count in neither), per playbook version,
 * and how long deals stayed in each step. `stepOrder` lists the steps in playbook order; steps no longer
 * in the playbook follow by id.
 */
export function summarizeOutcomes(
  rows: readonly OutcomeHistogramRow[],
  stepOrder: readonly string[],
): OutcomesSummary {
  const ofKind = (kind: OutcomeHistogramRow['kind']) => rows.filter((row) => row.kind === kind);
  const cycles = ofKind('cycle');
  const stepCycles = ofKind('step-cycle');
  const stepDays = ofKind('step-days').filter((row) => row.deals !== 0);
  const seen = [...new Set(stepDays.map((row) => row.group))];
  const visited = [
    ...stepOrder.filter((stepId) => seen.includes(stepId)),
    ...seen.filter((stepId) => !stepOrder.includes(stepId)).sort(),
  ];
  const versions = [...new Set(cycles.filter((row) => row.deals !== 0).map((row) => row.group))]
    .map((group) => (group === '' ? null : Number(group)))
    .sort((a, b) => (a ?? -1) - (b ?? -1));
  return {
    overall: summarizeGroup(cycles),
    bySteps: visited.map((stepId) => ({
      stepId,
      completed: summarizeGroup(stepCycles.filter((row) => row.group === `${stepId}:1`)),
      notCompleted: summarizeGroup(stepCycles.filter((row) => row.group === `${stepId}:0`)),
    })),
    byPlaybookVersion: versions.map((playbookVersion) => ({
      playbookVersion,
      ...summarizeGroup(
        cycles.filter((row) => row.group === (playbookVersion === null ? '' : String(playbookVersion))),
      ),
    })),
    timeInStep: visited.map((stepId) => {
      const days = stepDays
        .filter((row) => row.group === stepId)
        .map((row) => ({ value: row.days ?? 0, count: row.deals }));
      const n = days.reduce((sum, entry) => sum + entry.count, 0);
      if (n < MIN_DEALS_PER_GROUP) {
        return { stepId, medianDays: null, p90Days: null, n, tooFew: true as const };
      }
      return {
        stepId,
        medianDays: roundDays(median(days)),
        p90Days: roundDays(percentile(days, 0.9)),
        n,
      };
    }),
  };
}

/** Open deals alike for the demand view: same stage, close month and risk (the database groups them). */
export interface OpenDealGroup {
  stageId: string;
  closeMonth: string | null;
  /** Stalled, or with open exceptions. */
  atRisk: boolean;
  deals: number;
  /** Their amounts summed; deals without an amount add nothing. */
  amount: number;
}

export interface DemandMonth {
  month: string;
  openDeals: number;
  amount: number;
  weightedAmount: number;
  atRiskAmount: number;
  wonAmount: number;
  capacity?: number;
  gap?: number;
}

export interface DemandSummary {
  months: DemandMonth[];
  /** Open deals with no close date: demand with no month, shown so it is not silently lost. */
  withoutCloseDate: { openDeals: number; amount: number };
}

/** Money to the cent: sums of floats drift otherwise. */
function roundMoney(amount: number): number {
  return Math.round(amount * 100) / 100;
}

/**
 * The S&OP view: open pipeline by expected close month, weighted by the stage's probability; the part
 * at risk (stalled or with open exceptions, weighted); what was won; and the gap to capacity where a
 * manager set one. A deal without an amount counts as a deal and adds nothing.
 */
export function summarizeDemand(input: {
  months: readonly string[];
  openDeals: readonly OpenDealGroup[];
  probabilityOf: (stageId: string) => number;
  wonAmountByMonth: ReadonlyMap<string, number>;
  capacityByMonth: ReadonlyMap<string, number>;
}): DemandSummary {
  const byMonth = new Map(
    input.months.map((month) => [
      month,
      { month, openDeals: 0, amount: 0, weightedAmount: 0, atRiskAmount: 0, wonAmount: 0 },
    ]),
  );
  const withoutCloseDate = { openDeals: 0, amount: 0 };
  for (const group of input.openDeals) {
    if (group.closeMonth === null) {
      withoutCloseDate.openDeals += group.deals;
      withoutCloseDate.amount += group.amount;
      continue;
    }
    const month = byMonth.get(group.closeMonth);
    if (!month) continue;
    const weighted = group.amount * input.probabilityOf(group.stageId);
    month.openDeals += group.deals;
    month.amount += group.amount;
    month.weightedAmount += weighted;
    if (group.atRisk) month.atRiskAmount += weighted;
  }
  return {
    months: [...byMonth.values()].map((month): DemandMonth => {
      const figures: DemandMonth = {
        month: month.month,
        openDeals: month.openDeals,
        amount: roundMoney(month.amount),
        weightedAmount: roundMoney(month.weightedAmount),
        atRiskAmount: roundMoney(month.atRiskAmount),
        wonAmount: roundMoney(input.wonAmountByMonth.get(month.month) ?? 0),
      };
      const capacity = input.capacityByMonth.get(month.month);
      if (capacity === undefined) return figures;
      return { ...figures, capacity, gap: roundMoney(capacity - figures.weightedAmount) };
    }),
    withoutCloseDate: { openDeals: withoutCloseDate.openDeals, amount: roundMoney(withoutCloseDate.amount) },
  };
}
