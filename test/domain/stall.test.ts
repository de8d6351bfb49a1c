import {
  escalationDue,
  evaluateStall,
  resolveEscalateAfterBusinessDays,
  resolveEscalationOwnerId,
} from '../../src/domain/stall.util';
import { buildCalendar, buildDeal, buildStep } from './builders';

const calendar = buildCalendar({ timeZone: 'UTC' });
const enteredFriday = new Date('2026-11-20T10:00:00Z');
const tenBusinessDaysLater = new Date('2026-12-04T12:00:00Z');
const step = buildStep({ stallAfterBusinessDays: 10 });

describe('evaluateStall', () => {
  it('a deal inside its threshold is not stalled', () => {
    const stall = evaluateStall({
      deal: buildDeal({ stageEnteredAt: enteredFriday }),
      step,
      now: new Date('2026-11-25T15:00:00Z'),
      calendar,
    });

    expect(stall).toEqual({
      stalled: false,
      daysInStage: 3,
      thresholdDays: 10,
      reason: null,
      pausedUntil: null,
      snoozedUntil: null,
      noActivityDays: null,
      stalledSince: null,
    });
  });

  it('a deal that reaches the threshold in business days is stalled for being in stage too long', () => {
    const stall = evaluateStall({
      deal: buildDeal({ stageEnteredAt: enteredFriday }),
      step,
      now: tenBusinessDaysLater,
      calendar,
    });

    expect(stall).toMatchObject({
      stalled: true,
      daysInStage: 10,
      thresholdDays: 10,
      reason: 'in-stage-too-long',
      stalledSince: '2026-12-04T10:00:00.000Z',
    });
  });

  it('holidays push the stall back', () => {
    const stall = evaluateStall({
      deal: buildDeal({ stageEnteredAt: enteredFriday }),
      step,
      now: tenBusinessDaysLater,
      calendar: buildCalendar({ holidays: ['2026-11-26', '2026-11-27'] }),
    });

    expect(stall).toMatchObject({ stalled: false, daysInStage: 8 });
  });

  it('a step without a threshold never stalls by time in stage', () => {
    const stall = evaluateStall({
      deal: buildDeal({ stageEnteredAt: enteredFriday }),
      step: buildStep(),
      now: new Date('2027-06-01T12:00:00Z'),
      calendar,
    });

    expect(stall).toMatchObject({ stalled: false, thresholdDays: null, reason: null });
  });

  it('a scheduled next activity in the future pauses the stall clock', () => {
    const stall = evaluateStall({
      deal: buildDeal({ stageEnteredAt: enteredFriday, nextActivityAt: new Date('2026-12-07T16:00:00Z') }),
      step,
      now: tenBusinessDaysLater,
      calendar,
    });

    expect(stall).toMatchObject({
      stalled: false,
      reason: null,
      daysInStage: 10,
      pausedUntil: '2026-12-07T16:00:00.000Z',
      stalledSince: null,
    });
  });

  it('a next activity that is already past does not pause anything', () => {
    const stall = evaluateStall({
      deal: buildDeal({ stageEnteredAt: enteredFriday, nextActivityAt: new Date('2026-12-01T16:00:00Z') }),
      step,
      now: tenBusinessDaysLater,
      calendar,
    });

    expect(stall).toMatchObject({ stalled: true, pausedUntil: null });
  });

  it('a snooze in force means not stalled, and reports when it ends', () => {
    const stall = evaluateStall({
      deal: buildDeal({ stageEnteredAt: enteredFriday }),
      step,
      now: tenBusinessDaysLater,
      calendar,
      snoozedUntil: new Date('2026-12-09T09:00:00Z'),
    });

    expect(stall).toMatchObject({ stalled: false, reason: null, snoozedUntil: '2026-12-09T09:00:00.000Z' });
  });

  it('an expired snooze no longer hides the stall', () => {
    const stall = evaluateStall({
      deal: buildDeal({ stageEnteredAt: enteredFriday }),
      step,
      now: tenBusinessDaysLater,
      calendar,
      snoozedUntil: new Date('2026-12-01T09:00:00Z'),
    });

    expect(stall).toMatchObject({ stalled: true, snoozedUntil: null });
  });

  describe('no activity', () => {
    const quietStep = buildStep({ stallAfterBusinessDays: 30, noActivityStallDays: 7 });

    it('a deal with no activity for the set number of calendar days is stalled for no activity', () => {
      const stall = evaluateStall({
        deal: buildDeal({ stageEnteredAt: enteredFriday, lastActivityAt: new Date('2026-11-10T09:00:00Z') }),
        step: quietStep,
        now: new Date('2026-11-27T12:00:00Z'),
        calendar,
      });

      expect(stall).toMatchObject({
        stalled: true,
        reason: 'no-activity',
        noActivityDays: 7,
        stalledSince: '2026-11-27T10:00:00.000Z',
      });
    });

    it('entering the stage counts as a touch, so old activity does not stall a deal that just moved', () => {
      const stall = evaluateStall({
        deal: buildDeal({ stageEnteredAt: enteredFriday, lastActivityAt: new Date('2026-09-01T09:00:00Z') }),
        step: quietStep,
        now: new Date('2026-11-25T12:00:00Z'),
        calendar,
      });

      expect(stall).toMatchObject({ stalled: false, noActivityDays: 5 });
    });

    it('recent activity keeps the deal moving', () => {
      const stall = evaluateStall({
        deal: buildDeal({ stageEnteredAt: enteredFriday, lastActivityAt: new Date('2026-11-24T09:00:00Z') }),
        step: quietStep,
        now: new Date('2026-11-30T12:00:00Z'),
        calendar,
      });

      expect(stall).toMatchObject({ stalled: false, noActivityDays: 6, reason: null });
    });

    it('being in stage too long is the reason given when both signals fire, since the earliest', () => {
      const stall = evaluateStall({
        deal: buildDeal({ stageEnteredAt: enteredFriday }),
        step: buildStep({ stallAfterBusinessDays: 10, noActivityStallDays: 7 }),
        now: tenBusinessDaysLater,
        calendar,
      });

      expect(stall).toMatchObject({
        stalled: true,
        reason: 'in-stage-too-long',
        stalledSince: '2026-11-27T10:00:00.000Z',
      });
    });
  });
});

describe('escalationDue', () => {
  const deal = buildDeal({ stageEnteredAt: enteredFriday });
  const escalatingStep = buildStep({ stallAfterBusinessDays: 10, escalateAfterBusinessDays: 3 });

  function isDue(now: Date, options: Partial<Parameters<typeof escalationDue>[0]> = {}) {
    const currentStep = options.step ?? escalatingStep;
    const stall = evaluateStall({ deal, step: currentStep, now, calendar, snoozedUntil: null });
    return escalationDue({ stall, step: currentStep, now, calendar, ...options });
  }

  it('is not due while the deal has been stalled for fewer business days than the policy allows', () => {
    expect(isDue(new Date('2026-12-08T12:00:00Z'))).toBe(false);
  });

  it('is due once the deal has stayed stalled that many business days beyond its threshold', () => {
    expect(isDue(new Date('2026-12-09T12:00:00Z'))).toBe(true);
  });

  it("falls back to the playbook's reminder policy when the step sets none", () => {
    const plainStep = buildStep({ stallAfterBusinessDays: 10 });

    expect(
      isDue(new Date('2026-12-09T12:00:00Z'), {
        step: plainStep,
        reminders: { escalateAfterBusinessDays: 5 },
      }),
    ).toBe(false);
    expect(
      isDue(new Date('2026-12-11T12:00:00Z'), {
        step: plainStep,
        reminders: { escalateAfterBusinessDays: 5 },
      }),
    ).toBe(true);
    expect(resolveEscalateAfterBusinessDays(escalatingStep, { escalateAfterBusinessDays: 5 })).toBe(3);
  });

  it('is never due without an escalation policy', () => {
    expect(isDue(new Date('2027-02-01T12:00:00Z'), { step: buildStep({ stallAfterBusinessDays: 10 }) })).toBe(
      false,
    );
  });

  it('is not due for a deal that is not stalled, e.g. snoozed', () => {
    const now = new Date('2026-12-15T12:00:00Z');
    const stall = evaluateStall({
      deal,
      step: escalatingStep,
      now,
      calendar,
      snoozedUntil: new Date('2026-12-20T00:00:00Z'),
    });

    expect(escalationDue({ stall, step: escalatingStep, now, calendar })).toBe(false);
  });
});

describe('resolveEscalationOwnerId', () => {
  const reminders = { managerOwnerId: '9001', teamManagers: { sales: '9002' } };

  it("escalates to the manager of the owner's team first", () => {
    expect(resolveEscalationOwnerId(reminders, ['support', 'sales'])).toBe('9002');
  });

  it("falls back to the playbook's manager, then to nobody", () => {
    expect(resolveEscalationOwnerId(reminders, ['support'])).toBe('9001');
    expect(resolveEscalationOwnerId(undefined, ['sales'])).toBeNull();
  });
});
