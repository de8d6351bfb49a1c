/**
 * Compliance checks evaluated from the deal's own data. A failed check is an expected outcome, so it
 * comes back as data with a detail a rep can act on ("Amount is empty"), never as an exception.
 */
import type { ActionState, DealSnapshot } from './deal.types';
import type {
  AssociatedRule,
  CheckRule,
  ComparisonRule,
  DateInFutureRule,
  EqualsRule,
  OneOfRule,
  PlaybookAction,
  PlaybookCheck,
  PresentRule,
  WithinDaysRule,
} from './playbook.schema';

export interface CheckResult {
  id: string;
  title: string;
  passed: boolean;
  /** Why the check failed, in words a rep understands; null when it passed. */
  detail: string | null;
}

type RuleOutcome = { passed: true } | { passed: false; detail: string };

const MS_PER_DAY = 86_400_000;
const EPOCH_MS_PATTERN = /^-?\d+$/;
const DATE_ONLY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

const PROPERTY_LABELS: Record<string, string> = {
  amount: 'Amount',
  closedate: 'Close date',
  dealname: 'Deal name',
  dealtype: 'Deal type',
  description: 'Description',
  hs_next_step: 'Next step',
  hs_priority: 'Priority',
  hubspot_owner_id: 'Deal owner',
  hs_deal_stage_probability: 'Deal probability',
  hs_forecast_category: 'Forecast category',
  hs_forecast_probability: 'Forecast probability',
  hs_manual_forecast_category: 'Forecast category',
  hs_acv: 'Annual contract value',
  hs_arr: 'Annual recurring revenue',
  hs_mrr: 'Monthly recurring revenue',
  hs_tcv: 'Total contract value',
};

const SINGULAR_OBJECT_NAMES: Record<string, string> = {
  contacts: 'contact',
  companies: 'company',
  line_items: 'line item',
  tickets: 'ticket',
  deals: 'deal',
  quotes: 'quote',
  products: 'product',
};

/** HubSpot's label for well-known properties; a readable form of the internal name otherwise. */
export function labelProperty(property: string): string {
  const known = PROPERTY_LABELS[property];
  if (known) return known;
  const words = property.replace(/^hs_/, '').replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function nameObjects(objectType: string, count: number): string {
  const plural = objectType.replace(/_/g, ' ');
  return count === 1 ? (SINGULAR_OBJECT_NAMES[objectType] ?? plural) : plural;
}

function readPresentValue(deal: DealSnapshot, property: string): string | null {
  const value = deal.properties[property];
  return value === undefined || value === null || value.trim() === '' ? null : value.trim();
}

/** HubSpot sends numbers as strings ("5000.50"); an empty string is no number, not zero. */
export function parseHubSpotNumber(value: string): number | null {
  if (value.trim() === '') return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

/** HubSpot dates arrive as ISO strings or as epoch milliseconds in a string. */
export function parseHubSpotDate(value: string): Date | null {
  const trimmed = value.trim();
  const ms = EPOCH_MS_PATTERN.test(trimmed) ? Number(trimmed) : Date.parse(trimmed);
  return Number.isFinite(ms) ? new Date(ms) : null;
}

/**
 * HubSpot stores date-only properties as midnight UTC. Such a value names a whole day, so it is
 * compared by its day: a close date of today is not "in the past" at 3 pm.
 */
function isDateOnly(raw: string, date: Date): boolean {
  return DATE_ONLY_PATTERN.test(raw.trim()) || date.getTime() % MS_PER_DAY === 0;
}

function formatDate(raw: string, date: Date): string {
  return isDateOnly(raw, date) ? date.toISOString().slice(0, 10) : date.toISOString();
}

function quote(value: string | number | boolean): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}

function matchesExpected(actual: string, expected: string | number | boolean): boolean {
  if (typeof expected === 'string') return actual === expected;
  if (typeof expected === 'boolean') return actual.toLowerCase() === String(expected);
  return parseHubSpotNumber(actual) === expected;
}

function evaluatePresent(rule: PresentRule, deal: DealSnapshot): RuleOutcome {
  const value = readPresentValue(deal, rule.property);
  const label = labelProperty(rule.property);
  if (rule.present) return value !== null ? { passed: true } : { passed: false, detail: `${label} is empty` };
  return value === null
    ? { passed: true }
    : { passed: false, detail: `${label} should be empty but is "${value}"` };
}

function evaluateEquals(rule: EqualsRule, deal: DealSnapshot): RuleOutcome {
  const value = readPresentValue(deal, rule.property);
  const label = labelProperty(rule.property);
  if (value === null) return { passed: false, detail: `${label} is empty, expected ${quote(rule.equals)}` };
  if (matchesExpected(value, rule.equals)) return { passed: true };
  return { passed: false, detail: `${label} is "${value}", expected ${quote(rule.equals)}` };
}

function evaluateOneOf(rule: OneOfRule, deal: DealSnapshot): RuleOutcome {
  const value = readPresentValue(deal, rule.property);
  const label = labelProperty(rule.property);
  const expected = `expected one of ${rule.oneOf.map(quote).join(', ')}`;
  if (value === null) return { passed: false, detail: `${label} is empty, ${expected}` };
  if (rule.oneOf.some((option) => matchesExpected(value, option))) return { passed: true };
  return { passed: false, detail: `${label} is "${value}", ${expected}` };
}

function describeBounds(rule: ComparisonRule): string {
  const bounds: string[] = [];
  if (rule.gt !== undefined) bounds.push(`more than ${rule.gt}`);
  if (rule.gte !== undefined) bounds.push(`at least ${rule.gte}`);
  if (rule.lt !== undefined) bounds.push(`less than ${rule.lt}`);
  if (rule.lte !== undefined) bounds.push(`at most ${rule.lte}`);
  return bounds.join(' and ');
}

function evaluateComparison(rule: ComparisonRule, deal: DealSnapshot): RuleOutcome {
  const value = readPresentValue(deal, rule.property);
  const label = labelProperty(rule.property);
  if (value === null) return { passed: false, detail: `${label} is empty` };
  const number = parseHubSpotNumber(value);
  if (number === null) return { passed: false, detail: `${label} is not a number ("${value}")` };
  const withinBounds =
    (rule.gt === undefined || number > rule.gt) &&
    (rule.gte === undefined || number >= rule.gte) &&
    (rule.lt === undefined || number < rule.lt) &&
    (rule.lte === undefined || number <= rule.lte);
  if (withinBounds) return { passed: true };
  return { passed: false, detail: `${label} is ${number}, expected ${describeBounds(rule)}` };
}

type DateReading = { ok: true; raw: string; date: Date } | { ok: false; outcome: RuleOutcome };

function readDate(deal: DealSnapshot, property: string): DateReading {
  const label = labelProperty(property);
  const raw = readPresentValue(deal, property);
  if (raw === null) return { ok: false, outcome: { passed: false, detail: `${label} is empty` } };
  const date = parseHubSpotDate(raw);
  if (date === null)
    return { ok: false, outcome: { passed: false, detail: `${label} is not a date ("${raw}")` } };
  return { ok: true, raw, date };
}

function evaluateDateInFuture(rule: DateInFutureRule, deal: DealSnapshot, now: Date): RuleOutcome {
  const reading = readDate(deal, rule.property);
  if (!reading.ok) return reading.outcome;
  const { raw, date } = reading;
  const lastMomentMs = isDateOnly(raw, date) ? date.getTime() + MS_PER_DAY : date.getTime();
  if (lastMomentMs > now.getTime()) return { passed: true };
  return {
    passed: false,
    detail: `${labelProperty(rule.property)} ${formatDate(raw, date)} is in the past`,
  };
}

/** Days from now to the date: positive ahead, negative behind; whole days for date-only values. */
function measureDaysFromNow(raw: string, date: Date, now: Date): number {
  if (isDateOnly(raw, date)) {
    const nowDay = Math.floor(now.getTime() / MS_PER_DAY);
    return Math.floor(date.getTime() / MS_PER_DAY) - nowDay;
  }
  return (date.getTime() - now.getTime()) / MS_PER_DAY;
}

function describeDistance(days: number): string {
  const whole = Math.floor(Math.abs(days));
  const unit = whole === 1 ? 'day' : 'days';
  return days >= 0 ? `is ${whole} ${unit} away` : `was ${whole} ${unit} ago`;
}

function evaluateWithinDays(rule: WithinDaysRule, deal: DealSnapshot, now: Date): RuleOutcome {
  const reading = readDate(deal, rule.property);
  if (!reading.ok) return reading.outcome;
  const { raw, date } = reading;
  const days = measureDaysFromNow(raw, date, now);
  if (Math.abs(days) <= rule.withinDays) return { passed: true };
  return {
    passed: false,
    detail: `${labelProperty(rule.property)} ${formatDate(raw, date)} ${describeDistance(days)}, expected within ${rule.withinDays} days`,
  };
}

function evaluateAssociated(rule: AssociatedRule, deal: DealSnapshot): RuleOutcome {
  const count = deal.associations[rule.associated] ?? 0;
  if (count >= rule.min) return { passed: true };
  if (count === 0) return { passed: false, detail: `No ${nameObjects(rule.associated, 0)} associated` };
  return {
    passed: false,
    detail: `${count} ${nameObjects(rule.associated, count)} associated, at least ${rule.min} needed`,
  };
}

function evaluateLastActivity(withinDays: number, deal: DealSnapshot, now: Date): RuleOutcome {
  if (deal.lastActivityAt === null) return { passed: false, detail: 'No activity logged on this deal' };
  const daysAgo = (now.getTime() - deal.lastActivityAt.getTime()) / MS_PER_DAY;
  if (daysAgo <= withinDays) return { passed: true };
  return {
    passed: false,
    detail: `Last activity was ${Math.floor(daysAgo)} days ago, expected within ${withinDays} days`,
  };
}

/** The latest state of each action: the log may hold several for one action, and the newest wins. */
export function findLatestActionState(
  actionStates: readonly ActionState[],
  actionId: string,
): ActionState | null {
  let latest: ActionState | null = null;
  for (const state of actionStates) {
    if (state.actionId !== actionId) continue;
    const isNewer =
      latest === null || (state.at?.getTime() ?? -Infinity) >= (latest.at?.getTime() ?? -Infinity);
    if (isNewer) latest = state;
  }
  return latest;
}

function evaluateActionDone(
  actionId: string,
  actionStates: readonly ActionState[],
  actions: readonly PlaybookAction[],
): RuleOutcome {
  if (findLatestActionState(actionStates, actionId)?.done) return { passed: true };
  const title = actions.find((action) => action.id === actionId)?.title ?? actionId;
  return { passed: false, detail: `"${title}" is not done yet` };
}

function evaluateRule(
  rule: CheckRule,
  deal: DealSnapshot,
  actionStates: readonly ActionState[],
  now: Date,
  actions: readonly PlaybookAction[],
): RuleOutcome {
  if ('actionDone' in rule) return evaluateActionDone(rule.actionDone, actionStates, actions);
  if ('lastActivityWithinDays' in rule) return evaluateLastActivity(rule.lastActivityWithinDays, deal, now);
  if ('associated' in rule) return evaluateAssociated(rule, deal);
  if ('present' in rule) return evaluatePresent(rule, deal);
  if ('equals' in rule) return evaluateEquals(rule, deal);
  if ('oneOf' in rule) return evaluateOneOf(rule, deal);
  if ('dateInFuture' in rule) return evaluateDateInFuture(rule, deal, now);
  if ('withinDays' in rule) return evaluateWithinDays(rule, deal, now);
  return evaluateComparison(rule, deal);
}

/**
 * Evaluates one check against a deal as of `now`. `actions` (the step's) only lends titles to the
 * detail of an actionDone rule.
 */
export function evaluateCheck(
  check: PlaybookCheck,
  deal: DealSnapshot,
  actionStates: readonly ActionState[],
  now: Date,
  actions: readonly PlaybookAction[] = [],
): CheckResult {
  const outcome = evaluateRule(check.rule, deal, actionStates, now, actions);
  return {
    id: check.id,
    title: check.title,
    passed: outcome.passed,
    detail: outcome.passed ? null : outcome.detail,
  };
}
