import { addCalendarDays, DEFAULT_PLAYBOOK, evaluateStall, type BusinessCalendar } from '../../../src/domain';
import {
  buildReminderMarker,
  buildReminderTask,
  findLatestStallableEntry,
} from '../../../src/modules/reminders/reminder-task.util';
import { buildDeal, buildPlaybook, buildStep } from '../../domain/builders';

const HOUR_MS = 3_600_000;

function calendarIn(timeZone: string, holidays: string[] = []): BusinessCalendar {
  return { timeZone, holidays };
}

function isStalledUnderAnyStep(enteredAt: Date, now: Date, calendar: BusinessCalendar): boolean {
  return DEFAULT_PLAYBOOK.steps.some(
    (step) =>
      evaluateStall({
        deal: buildDeal({ stageEnteredAt: enteredAt, lastActivityAt: enteredAt }),
        step,
        now,
        calendar,
      }).stalled,
  );
}

describe('where the sweep starts looking', () => {
  const nows = [
    new Date('2026-11-30T15:00:00.000Z'), // Monday
    new Date('2026-11-28T04:30:00.000Z'), // Friday night in Los Angeles, Saturday in Tokyo
    new Date('2026-12-03T23:59:00.000Z'), // Thursday
    new Date('2026-03-09T12:00:00.000Z'), // the Monday after the US spring-forward
  ];
  const zones = ['America/New_York', 'America/Los_Angeles', 'Asia/Tokyo', 'Europe/Paris', 'UTC'];

  it.each(zones)(
    'no deal that entered its stage at or after the cutoff can be stalled, whatever the day (%s)',
    (timeZone) => {
      const calendar = calendarIn(timeZone, ['2026-11-26']);
      for (const now of nows) {
        const cutoff = findLatestStallableEntry(DEFAULT_PLAYBOOK, now, calendar)!;
        for (let enteredMs = cutoff.getTime(); enteredMs <= now.getTime(); enteredMs += HOUR_MS) {
          expect(isStalledUnderAnyStep(new Date(enteredMs), now, calendar)).toBe(false);
        }
        // And the cutoff is tight: a deal that entered a local day before it is stalled already.
        expect(isStalledUnderAnyStep(addCalendarDays(cutoff, -1, timeZone), now, calendar)).toBe(true);
      }
    },
  );

  it('reaches back over the weekend and a holiday for a business-day threshold', () => {
    const playbook = buildPlaybook({ steps: [buildStep({ stallAfterBusinessDays: 5 })] });
    const mondayMorningNewYork = new Date('2026-11-30T15:00:00.000Z');

    // Tue, Wed, Thu, Fri and Mon are the five business days after Monday the 23rd...
    expect(findLatestStallableEntry(playbook, mondayMorningNewYork, calendarIn('America/New_York'))).toEqual(
      new Date('2026-11-24T15:00:00.000Z'),
    );
    // ...and with Thanksgiving off, the 23rd itself must count, so entries up to the 22nd can be stalled.
    expect(
      findLatestStallableEntry(
        playbook,
        mondayMorningNewYork,
        calendarIn('America/New_York', ['2026-11-26']),
      ),
    ).toEqual(new Date('2026-11-23T15:00:00.000Z'));
  });

  it('counts days in the portal time zone: one instant is Monday in Tokyo and still Sunday in Los Angeles', () => {
    const playbook = buildPlaybook({ steps: [buildStep({ stallAfterBusinessDays: 1 })] });
    const instant = new Date('2026-11-30T03:00:00.000Z');

    // Monday noon in Tokyo: anything entered before today (Sunday or earlier) has one business day.
    expect(findLatestStallableEntry(playbook, instant, calendarIn('Asia/Tokyo'))).toEqual(instant);
    // Sunday evening in Los Angeles: only Friday counts, so the entry must be Thursday or earlier.
    expect(findLatestStallableEntry(playbook, instant, calendarIn('America/Los_Angeles'))).toEqual(
      new Date('2026-11-28T03:00:00.000Z'),
    );
  });

  it('is absent when no step of the playbook ever stalls', () => {
    expect(
      findLatestStallableEntry(buildPlaybook(), new Date('2026-11-30T15:00:00.000Z'), calendarIn('UTC')),
    ).toBeNull();
  });
});

describe('a reminder task', () => {
  const stall = {
    stalled: true,
    daysInStage: 12,
    thresholdDays: 10,
    reason: 'in-stage-too-long' as const,
    pausedUntil: null,
    snoozedUntil: null,
    noActivityDays: 15,
    stalledSince: '2026-11-24T15:00:00.000Z',
  };
  const base = {
    portalId: 62515,
    dealId: '4001',
    dealName: 'Globex <Annual> licence',
    stepTitle: 'Qualification and needs assessment',
    stageLabel: 'Qualified To Buy',
    stall,
    blockers: ['Amount is set: Amount is empty', 'Not done: Hold a discovery call'],
    assigneeOwnerId: '501',
    dealOwnerName: 'Riley Rep',
    businessDaysStalled: 2,
    dueAt: new Date('2026-11-27T14:00:00.000Z'),
  };

  it('gets a marker that is one search token, the same for the same reminder and different for another', () => {
    const marker = buildReminderMarker('62515/4001/1763000000000/owner/1');

    expect(marker).toMatch(/^sopref[0-9a-f]+$/);
    expect(buildReminderMarker('62515/4001/1763000000000/owner/1')).toBe(marker);
    expect(buildReminderMarker('62515/4001/1763000000000/escalation/1')).not.toBe(marker);
  });

  it('tells the owner the step, how long it has stalled, what is missing and where the deal is', () => {
    const marker = buildReminderMarker('k');
    const task = buildReminderTask({ ...base, kind: 'owner', marker });

    expect(task.subject).toContain('Globex <Annual> licence');
    expect(task.body).toContain('Qualification and needs assessment');
    expect(task.body).toContain('12 business days (the SOP allows 10)');
    expect(task.body).toContain('No logged activity for 15 days');
    expect(task.body).toContain('<li>Amount is set: Amount is empty</li>');
    expect(task.body).toContain('https://app.hubspot.com/contacts/62515/record/0-3/4001');
    // The deal's own text is escaped, and the marker stands apart from its neighbours.
    expect(task.body).not.toContain('<Annual>');
    expect(task.body.split(/[^A-Za-z0-9]+/)).toContain(marker);
    expect(task).toMatchObject({ dealId: '4001', ownerId: '501', priority: 'MEDIUM', dueAt: base.dueAt });
  });

  it('tells the manager how long the deal has stayed stalled and whose deal it is, at high priority', () => {
    const task = buildReminderTask({
      ...base,
      kind: 'escalation',
      assigneeOwnerId: '900',
      marker: buildReminderMarker('e'),
    });

    expect(task.subject).toMatch(/^Escalation: .* stalled for 2 business days$/);
    expect(task.body).toContain('its owner is Riley Rep');
    expect(task).toMatchObject({ ownerId: '900', priority: 'HIGH' });
  });
});
