import { evaluateCheck, parseHubSpotDate, parseHubSpotNumber } from '../../src/domain/check-rules.util';
import type { CheckRule } from '../../src/domain/playbook.schema';
import type { DealSnapshot } from '../../src/domain/deal.types';
import { A_WEDNESDAY_AFTERNOON, buildAction, buildActionState, buildCheck, buildDeal } from './builders';

const now = A_WEDNESDAY_AFTERNOON; // 2026-11-25T15:00:00Z

function check(rule: CheckRule, deal: DealSnapshot, actionStates = [buildActionState({ done: false })]) {
  return evaluateCheck(buildCheck(rule), deal, actionStates, now);
}

function dealWith(properties: Record<string, string | null>): DealSnapshot {
  return buildDeal({ properties });
}

describe('evaluateCheck', () => {
  it('reports the check id and title with the outcome', () => {
    const result = evaluateCheck(
      buildCheck({ property: 'amount', present: true }, { id: 'amount-set', title: 'Amount is set' }),
      dealWith({ amount: '' }),
      [],
      now,
    );

    expect(result).toEqual({
      id: 'amount-set',
      title: 'Amount is set',
      passed: false,
      detail: 'Amount is empty',
    });
  });

  describe('present', () => {
    it('passes when the property has a value', () => {
      expect(check({ property: 'amount', present: true }, dealWith({ amount: '5000' }))).toMatchObject({
        passed: true,
        detail: null,
      });
    });

    it.each([
      ['missing', {}],
      ['null', { amount: null }],
      ['blank', { amount: '  ' }],
    ])('fails when the property is %s', (_case, properties) => {
      expect(check({ property: 'amount', present: true }, dealWith(properties))).toMatchObject({
        passed: false,
        detail: 'Amount is empty',
      });
    });

    it('with present: false, passes on an empty property and fails on a filled one', () => {
      const rule: CheckRule = { property: 'closed_lost_reason', present: false };

      expect(check(rule, dealWith({})).passed).toBe(true);
      expect(check(rule, dealWith({ closed_lost_reason: 'Budget' }))).toMatchObject({
        passed: false,
        detail: 'Closed lost reason should be empty but is "Budget"',
      });
    });
  });

  describe('equals', () => {
    it('passes on the exact string and fails on another one', () => {
      const rule: CheckRule = { property: 'dealtype', equals: 'newbusiness' };

      expect(check(rule, dealWith({ dealtype: 'newbusiness' })).passed).toBe(true);
      expect(check(rule, dealWith({ dealtype: 'existingbusiness' }))).toMatchObject({
        passed: false,
        detail: 'Deal type is "existingbusiness", expected "newbusiness"',
      });
      expect(check(rule, dealWith({}))).toMatchObject({
        passed: false,
        detail: 'Deal type is empty, expected "newbusiness"',
      });
    });

    it('compares numbers by value, whatever HubSpot wrote', () => {
      const rule: CheckRule = { property: 'amount', equals: 1000 };

      expect(check(rule, dealWith({ amount: '1000.00' })).passed).toBe(true);
      expect(check(rule, dealWith({ amount: '999' }))).toMatchObject({
        passed: false,
        detail: 'Amount is "999", expected 1000',
      });
    });

    it("compares booleans with HubSpot's true/false strings", () => {
      const rule: CheckRule = { property: 'is_renewal', equals: true };

      expect(check(rule, dealWith({ is_renewal: 'true' })).passed).toBe(true);
      expect(check(rule, dealWith({ is_renewal: 'false' })).passed).toBe(false);
    });
  });

  describe('oneOf', () => {
    const rule: CheckRule = { property: 'hs_priority', oneOf: ['high', 'medium'] };

    it('passes on any listed value', () => {
      expect(check(rule, dealWith({ hs_priority: 'medium' })).passed).toBe(true);
    });

    it('fails on an unlisted or empty value and lists what was expected', () => {
      expect(check(rule, dealWith({ hs_priority: 'low' }))).toMatchObject({
        passed: false,
        detail: 'Priority is "low", expected one of "high", "medium"',
      });
      expect(check(rule, dealWith({}))).toMatchObject({
        passed: false,
        detail: 'Priority is empty, expected one of "high", "medium"',
      });
    });

    it('matches numeric options by value', () => {
      expect(check({ property: 'seats', oneOf: [10, 20] }, dealWith({ seats: '20' })).passed).toBe(true);
    });
  });

  describe('comparisons', () => {
    it.each([
      [{ gt: 0 }, '1', true],
      [{ gt: 0 }, '0', false],
      [{ gte: 1000 }, '1000', true],
      [{ gte: 1000 }, '999.99', false],
      [{ lt: 0.5 }, '0.4', true],
      [{ lt: 0.5 }, '0.5', false],
      [{ lte: 10 }, '10', true],
      [{ lte: 10 }, '11', false],
      [{ gte: 0.2, lte: 0.8 }, '0.5', true],
      [{ gte: 0.2, lte: 0.8 }, '0.9', false],
    ])('%j on %s passes: %s', (bounds, value, passed) => {
      expect(check({ property: 'amount', ...bounds }, dealWith({ amount: value })).passed).toBe(passed);
    });

    it('says which bounds were missed', () => {
      expect(check({ property: 'amount', gte: 1000, lt: 5000 }, dealWith({ amount: '500' }))).toMatchObject({
        passed: false,
        detail: 'Amount is 500, expected at least 1000 and less than 5000',
      });
    });

    it('fails an empty value instead of reading it as zero', () => {
      expect(check({ property: 'amount', lte: 10 }, dealWith({ amount: '' }))).toMatchObject({
        passed: false,
        detail: 'Amount is empty',
      });
    });

    it('fails a value that is not a number', () => {
      expect(check({ property: 'amount', gt: 0 }, dealWith({ amount: 'lots' }))).toMatchObject({
        passed: false,
        detail: 'Amount is not a number ("lots")',
      });
    });
  });

  describe('dateInFuture', () => {
    const rule: CheckRule = { property: 'closedate', dateInFuture: true };

    it('passes on a future date given as an ISO string or as epoch milliseconds', () => {
      expect(check(rule, dealWith({ closedate: '2026-12-15T17:00:00.000Z' })).passed).toBe(true);
      expect(check(rule, dealWith({ closedate: String(Date.parse('2026-12-15T17:00:00Z')) })).passed).toBe(
        true,
      );
    });

    it('fails on a past date and says when it was', () => {
      expect(check(rule, dealWith({ closedate: '2026-11-25T14:59:00.000Z' }))).toMatchObject({
        passed: false,
        detail: 'Close date 2026-11-25T14:59:00.000Z is in the past',
      });
    });

    it('treats a date-only value (midnight UTC) of today as not yet past', () => {
      expect(check(rule, dealWith({ closedate: '2026-11-25' })).passed).toBe(true);
      expect(check(rule, dealWith({ closedate: String(Date.parse('2026-11-25T00:00:00Z')) })).passed).toBe(
        true,
      );
      expect(check(rule, dealWith({ closedate: '2026-11-24' }))).toMatchObject({
        passed: false,
        detail: 'Close date 2026-11-24 is in the past',
      });
    });

    it('fails on an empty or unreadable date', () => {
      expect(check(rule, dealWith({}))).toMatchObject({ passed: false, detail: 'Close date is empty' });
      expect(check(rule, dealWith({ closedate: 'next week' }))).toMatchObject({
        passed: false,
        detail: 'Close date is not a date ("next week")',
      });
    });
  });

  describe('withinDays', () => {
    const rule: CheckRule = { property: 'closedate', withinDays: 30 };

    it('passes on a date within the window, ahead or behind', () => {
      expect(check(rule, dealWith({ closedate: '2026-12-20T12:00:00Z' })).passed).toBe(true);
      expect(check(rule, dealWith({ closedate: '2026-11-01T12:00:00Z' })).passed).toBe(true);
      expect(check(rule, dealWith({ closedate: '2026-12-25' })).passed).toBe(true);
    });

    it('fails on a date too far ahead and says how far', () => {
      expect(check(rule, dealWith({ closedate: '2027-03-01' }))).toMatchObject({
        passed: false,
        detail: 'Close date 2027-03-01 is 96 days away, expected within 30 days',
      });
    });

    it('fails on a date too far behind and says how long ago', () => {
      expect(check(rule, dealWith({ closedate: '2026-09-01T15:00:00Z' }))).toMatchObject({
        passed: false,
        detail: 'Close date 2026-09-01T15:00:00.000Z was 85 days ago, expected within 30 days',
      });
    });

    it('fails on an empty date', () => {
      expect(check(rule, dealWith({ closedate: null }))).toMatchObject({
        passed: false,
        detail: 'Close date is empty',
      });
    });
  });

  describe('associated', () => {
    it('passes with enough associated records', () => {
      expect(
        check({ associated: 'contacts', min: 2 }, buildDeal({ associations: { contacts: 3 } })).passed,
      ).toBe(true);
    });

    it('fails with none and with too few, naming the object type', () => {
      expect(check({ associated: 'contacts', min: 1 }, buildDeal({ associations: {} }))).toMatchObject({
        passed: false,
        detail: 'No contacts associated',
      });
      expect(
        check({ associated: 'companies', min: 2 }, buildDeal({ associations: { companies: 1 } })),
      ).toMatchObject({
        passed: false,
        detail: '1 company associated, at least 2 needed',
      });
      expect(
        check({ associated: 'line_items', min: 3 }, buildDeal({ associations: { line_items: 2 } })),
      ).toMatchObject({ passed: false, detail: '2 line items associated, at least 3 needed' });
    });
  });

  describe('lastActivityWithinDays', () => {
    const rule: CheckRule = { lastActivityWithinDays: 7 };

    it('passes when the last activity is recent enough', () => {
      expect(check(rule, buildDeal({ lastActivityAt: new Date('2026-11-19T09:00:00Z') })).passed).toBe(true);
    });

    it('fails when the last activity is too old, saying how old', () => {
      expect(check(rule, buildDeal({ lastActivityAt: new Date('2026-11-10T09:00:00Z') }))).toMatchObject({
        passed: false,
        detail: 'Last activity was 15 days ago, expected within 7 days',
      });
    });

    it('fails when no activity was ever logged', () => {
      expect(check(rule, buildDeal({ lastActivityAt: null }))).toMatchObject({
        passed: false,
        detail: 'No activity logged on this deal',
      });
    });
  });

  describe('actionDone', () => {
    const rule: CheckRule = { actionDone: 'discovery-call' };

    it('passes when the action is ticked', () => {
      expect(
        check(rule, buildDeal(), [buildActionState({ actionId: 'discovery-call', done: true })]).passed,
      ).toBe(true);
    });

    it('fails when the action was never ticked, naming it by its title', () => {
      const result = evaluateCheck(buildCheck(rule), buildDeal(), [], now, [buildAction()]);

      expect(result).toMatchObject({ passed: false, detail: '"Hold a discovery call" is not done yet' });
    });

    it('follows the latest state: an action ticked then unticked is not done', () => {
      const states = [
        buildActionState({ done: true, at: new Date('2026-11-21T09:00:00Z') }),
        buildActionState({ done: false, at: new Date('2026-11-22T09:00:00Z') }),
      ];

      expect(check(rule, buildDeal(), states).passed).toBe(false);
      expect(check(rule, buildDeal(), [...states].reverse()).passed).toBe(false);
    });
  });
});

describe('HubSpot value parsing', () => {
  it('reads numbers from strings and refuses blanks and words', () => {
    expect(parseHubSpotNumber('5000.50')).toBe(5000.5);
    expect(parseHubSpotNumber('')).toBeNull();
    expect(parseHubSpotNumber('n/a')).toBeNull();
  });

  it('reads dates from ISO strings, date-only strings and epoch milliseconds', () => {
    expect(parseHubSpotDate('2026-11-20T10:00:00.000Z')?.toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect(parseHubSpotDate('2026-11-20')?.toISOString()).toBe('2026-11-20T00:00:00.000Z');
    expect(parseHubSpotDate('1795168800000')?.toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect(parseHubSpotDate('soon')).toBeNull();
  });
});
