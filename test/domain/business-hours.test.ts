import { addBusinessHours } from '../../src/domain';
import { buildCalendar } from './builders';

const NEW_YORK = buildCalendar({ timeZone: 'America/New_York' });

describe('addBusinessHours (09:00-17:00 local on business days)', () => {
  it('counts within one working day', () => {
    // Tuesday 10:00 in New York.
    expect(addBusinessHours(new Date('2026-12-01T15:00:00.000Z'), 3, NEW_YORK)).toEqual(
      new Date('2026-12-01T18:00:00.000Z'),
    );
  });

  it('carries the hours past 17:00 into the next business day, skipping the weekend', () => {
    // Friday 15:00 in New York: 2 hours on Friday, 6 on Monday from 09:00.
    expect(addBusinessHours(new Date('2026-12-04T20:00:00.000Z'), 8, NEW_YORK)).toEqual(
      new Date('2026-12-07T20:00:00.000Z'),
    );
  });

  it('starts counting at 09:00 for a start outside working hours, and skips holidays', () => {
    const calendar = buildCalendar({ timeZone: 'America/New_York', holidays: ['2026-12-08'] });
    // Monday 22:00 in New York; Tuesday is a holiday: Wednesday 09:00 + 8 hours.
    expect(addBusinessHours(new Date('2026-12-08T03:00:00.000Z'), 8, calendar)).toEqual(
      new Date('2026-12-09T22:00:00.000Z'),
    );
  });
});
