import {
  addBusinessDays,
  addCalendarDays,
  countBusinessDaysBetween,
  countCalendarDaysBetween,
  formatLocalDate,
  nextBusinessDayAt,
} from '../../src/domain/business-days.util';
import { buildCalendar } from './builders';

const utc = buildCalendar({ timeZone: 'UTC' });
const newYork = buildCalendar({ timeZone: 'America/New_York' });

describe('countBusinessDaysBetween', () => {
  it('a deal entered on Friday is 1 business day in stage on Monday', () => {
    const friday = new Date('2026-11-20T10:00:00Z');
    const monday = new Date('2026-11-23T10:00:00Z');

    expect(countBusinessDaysBetween(friday, monday, utc)).toBe(1);
  });

  it('counts calendar dates, not 24-hour periods: Monday evening to Tuesday morning is one day', () => {
    expect(
      countBusinessDaysBetween(new Date('2026-11-23T22:00:00Z'), new Date('2026-11-24T07:00:00Z'), utc),
    ).toBe(1);
  });

  it('is zero on the same day and when the end is before the start', () => {
    expect(
      countBusinessDaysBetween(new Date('2026-11-23T08:00:00Z'), new Date('2026-11-23T20:00:00Z'), utc),
    ).toBe(0);
    expect(
      countBusinessDaysBetween(new Date('2026-11-25T08:00:00Z'), new Date('2026-11-23T08:00:00Z'), utc),
    ).toBe(0);
  });

  it('does not count the weekend a deal entered on', () => {
    const saturday = new Date('2026-11-21T12:00:00Z');

    expect(countBusinessDaysBetween(saturday, new Date('2026-11-22T12:00:00Z'), utc)).toBe(0);
    expect(countBusinessDaysBetween(saturday, new Date('2026-11-23T12:00:00Z'), utc)).toBe(1);
  });

  it('counts five business days in every full week, over long periods too', () => {
    const monday = new Date('2026-01-05T12:00:00Z');

    expect(countBusinessDaysBetween(monday, new Date('2026-01-12T12:00:00Z'), utc)).toBe(5);
    expect(countBusinessDaysBetween(monday, new Date('2027-01-04T12:00:00Z'), utc)).toBe(260);
  });

  it('skips holidays that fall on weekdays, and a holiday on a weekend costs nothing extra', () => {
    const calendar = buildCalendar({ holidays: ['2026-12-24', '2026-12-25', '2026-12-26'] });
    const monday = new Date('2026-12-21T12:00:00Z');
    const nextMonday = new Date('2026-12-28T12:00:00Z');

    expect(countBusinessDaysBetween(monday, nextMonday, calendar)).toBe(3);
  });

  it('counts on the local calendar: the same instants are 1 business day in Los Angeles and 2 in Tokyo', () => {
    // 20:00 UTC is Friday noon in Los Angeles but already Saturday 05:00 in Tokyo.
    const enteredAt = new Date('2026-11-20T20:00:00Z');
    const now = new Date('2026-11-23T20:00:00Z');

    expect(formatLocalDate(enteredAt, 'America/Los_Angeles')).toBe('2026-11-20');
    expect(formatLocalDate(enteredAt, 'Asia/Tokyo')).toBe('2026-11-21');
    expect(countBusinessDaysBetween(enteredAt, now, buildCalendar({ timeZone: 'America/Los_Angeles' }))).toBe(
      1,
    );
    expect(countBusinessDaysBetween(enteredAt, now, buildCalendar({ timeZone: 'Asia/Tokyo' }))).toBe(2);
  });

  it('applies holidays on local dates', () => {
    // Tuesday 2026-11-24 01:00 UTC is still Monday evening in New York.
    const calendar = buildCalendar({ timeZone: 'America/New_York', holidays: ['2026-11-24'] });

    expect(
      countBusinessDaysBetween(new Date('2026-11-20T15:00:00Z'), new Date('2026-11-24T01:00:00Z'), calendar),
    ).toBe(1);
    expect(
      countBusinessDaysBetween(new Date('2026-11-20T15:00:00Z'), new Date('2026-11-24T15:00:00Z'), calendar),
    ).toBe(1);
    expect(
      countBusinessDaysBetween(new Date('2026-11-20T15:00:00Z'), new Date('2026-11-25T15:00:00Z'), calendar),
    ).toBe(2);
  });

  it('is unaffected by a daylight-saving change over the weekend', () => {
    // New York springs forward on Sunday 2026-03-08.
    expect(
      countBusinessDaysBetween(
        new Date('2026-03-06T23:30:00-05:00'),
        new Date('2026-03-09T00:30:00-04:00'),
        newYork,
      ),
    ).toBe(1);
  });
});

describe('countCalendarDaysBetween', () => {
  it('counts local dates, negative when the end comes first', () => {
    expect(
      countCalendarDaysBetween(new Date('2026-11-20T23:00:00Z'), new Date('2026-11-21T01:00:00Z'), 'UTC'),
    ).toBe(1);
    expect(
      countCalendarDaysBetween(new Date('2026-11-21T01:00:00Z'), new Date('2026-11-20T23:00:00Z'), 'UTC'),
    ).toBe(-1);
    expect(
      countCalendarDaysBetween(
        new Date('2026-11-20T23:00:00Z'),
        new Date('2026-11-21T01:00:00Z'),
        'America/Los_Angeles',
      ),
    ).toBe(0);
  });
});

describe('addBusinessDays', () => {
  it('skips the weekend and keeps the time of day', () => {
    const thursday = new Date('2026-11-19T14:30:00Z');

    expect(addBusinessDays(thursday, 2, utc).toISOString()).toBe('2026-11-23T14:30:00.000Z');
  });

  it('skips holidays', () => {
    const calendar = buildCalendar({ holidays: ['2026-11-26', '2026-11-27'] });

    expect(addBusinessDays(new Date('2026-11-25T09:00:00Z'), 1, calendar).toISOString()).toBe(
      '2026-11-30T09:00:00.000Z',
    );
  });

  it('goes back in time for a negative count, and returns the same instant for zero', () => {
    const monday = new Date('2026-11-23T09:00:00Z');

    expect(addBusinessDays(monday, -1, utc).toISOString()).toBe('2026-11-20T09:00:00.000Z');
    expect(addBusinessDays(monday, 0, utc).toISOString()).toBe(monday.toISOString());
  });

  it('keeps the local wall-clock time across a daylight-saving change', () => {
    // 09:00 EST on Friday 2026-03-06 is 14:00 UTC; 09:00 EDT on Monday is 13:00 UTC.
    const fridayMorning = new Date('2026-03-06T14:00:00Z');

    expect(addBusinessDays(fridayMorning, 1, newYork).toISOString()).toBe('2026-03-09T13:00:00.000Z');
  });

  it('is the inverse of countBusinessDaysBetween', () => {
    const calendar = buildCalendar({ timeZone: 'Europe/Berlin', holidays: ['2026-12-24', '2026-12-25'] });
    const start = new Date('2026-12-18T16:00:00Z');
    for (const n of [1, 3, 7, 15]) {
      expect(countBusinessDaysBetween(start, addBusinessDays(start, n, calendar), calendar)).toBe(n);
    }
  });
});

describe('addCalendarDays', () => {
  it('keeps the local wall-clock time across a daylight-saving change', () => {
    // Europe/Paris falls back on Sunday 2026-10-25: 10:00 local is 08:00 UTC before, 09:00 UTC after.
    expect(addCalendarDays(new Date('2026-10-24T08:00:00Z'), 2, 'Europe/Paris').toISOString()).toBe(
      '2026-10-26T09:00:00.000Z',
    );
  });
});

describe('nextBusinessDayAt', () => {
  it('a reminder raised on Friday is due Monday at 09:00 local time', () => {
    const fridayAfternoon = new Date('2026-11-20T20:00:00Z'); // 15:00 in New York

    expect(nextBusinessDayAt(fridayAfternoon, newYork, 9).toISOString()).toBe('2026-11-23T14:00:00.000Z');
  });

  it('a reminder raised early on a Tuesday morning is due on Wednesday, not later that day', () => {
    expect(nextBusinessDayAt(new Date('2026-11-24T06:00:00Z'), utc, 9).toISOString()).toBe(
      '2026-11-25T09:00:00.000Z',
    );
  });

  it('skips holidays after the weekend', () => {
    const calendar = buildCalendar({ timeZone: 'America/New_York', holidays: ['2026-11-26', '2026-11-27'] });

    expect(nextBusinessDayAt(new Date('2026-11-25T20:00:00Z'), calendar, 9).toISOString()).toBe(
      '2026-11-30T14:00:00.000Z',
    );
  });

  it('uses the local date of now: the same instant is Friday in Los Angeles and Saturday in Tokyo', () => {
    const instant = new Date('2026-11-20T20:00:00Z');

    expect(
      nextBusinessDayAt(instant, buildCalendar({ timeZone: 'America/Los_Angeles' }), 9).toISOString(),
    ).toBe('2026-11-23T17:00:00.000Z');
    expect(nextBusinessDayAt(instant, buildCalendar({ timeZone: 'Asia/Tokyo' }), 9).toISOString()).toBe(
      '2026-11-23T00:00:00.000Z',
    );
  });

  it('lands on 09:00 local time after the clocks change', () => {
    // Raised Friday 2026-03-06 in New York (EST); Monday is already on EDT.
    expect(nextBusinessDayAt(new Date('2026-03-06T20:00:00Z'), newYork, 9).toISOString()).toBe(
      '2026-03-09T13:00:00.000Z',
    );
  });

  it('refuses an hour outside the day', () => {
    expect(() => nextBusinessDayAt(new Date('2026-11-20T20:00:00Z'), utc, 24)).toThrow(RangeError);
  });
});

describe('local dates across every offset change of a year', () => {
  it.each(['America/New_York', 'Europe/Paris', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns'])(
    'agree with Intl at every 7-minute step of 2026 in %s',
    (timeZone) => {
      const start = Date.UTC(2026, 0, 1);
      const end = Date.UTC(2027, 0, 1);
      const reference = new Intl.DateTimeFormat('en-CA', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      });
      const mismatches: string[] = [];
      for (let at = start; at < end; at += 7 * 60 * 1000) {
        const instant = new Date(at);
        if (formatLocalDate(instant, timeZone) !== reference.format(instant)) {
          mismatches.push(instant.toISOString());
        }
      }
      expect(mismatches).toEqual([]);
    },
  );
});
