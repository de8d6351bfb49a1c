import { DEFAULT_PLAYBOOK } from '../../../src/domain';
import { SAMPLE_PORTAL_ID, startTestService, type TestService } from '../../support/service-harness';
import { addDeal, projectDeals, sweep, tasksOfDeal } from './support/reminder-fixtures';

/**
 * The qualification step stalls after 10 business days, counted on the portal's local calendar
 * (America/New_York for the sample portal), whatever the UTC clock says.
 */
const LAST_ACTIVITY = new Date('2026-11-25T12:00:00.000Z');

describe('stall thresholds over weekends and time zones', () => {
  let service: TestService;
  let enteredSundayEvening: string;
  let enteredMondayNoon: string;

  beforeAll(async () => {
    service = await startTestService({ now: new Date('2026-11-26T20:00:00.000Z') });
    const { rep } = service.sample.owners;
    enteredSundayEvening = addDeal(service, {
      name: 'Entered on a Sunday evening',
      stageId: 'qualifiedtobuy',
      // Sunday 19:30 in New York, already Monday in UTC.
      enteredAt: new Date('2026-11-16T00:30:00.000Z'),
      ownerId: rep.ownerId,
      lastActivityAt: LAST_ACTIVITY,
    });
    enteredMondayNoon = addDeal(service, {
      name: 'Entered on a Monday at noon',
      stageId: 'qualifiedtobuy',
      enteredAt: new Date('2026-11-16T17:00:00.000Z'),
      ownerId: rep.ownerId,
      lastActivityAt: LAST_ACTIVITY,
    });
    await projectDeals(service, [enteredSundayEvening, enteredMondayNoon]);
  });
  afterAll(async () => {
    await service.stop();
  });

  it('a deal is not reminded before its tenth local business day in the stage', async () => {
    // Thursday 26th, 15:00 in New York: nine business days for both.
    await sweep(service);

    expect(tasksOfDeal(service, enteredSundayEvening)).toHaveLength(0);
    expect(tasksOfDeal(service, enteredMondayNoon)).toHaveLength(0);
  });

  it('a deal that entered on a Sunday evening in New York counts Monday as its first day, and is reminded on the Friday', async () => {
    service.clock.set(new Date('2026-11-27T20:00:00.000Z'));
    await sweep(service);

    const [task] = tasksOfDeal(service, enteredSundayEvening);
    expect(task).toBeDefined();
    // Due the next business day, Monday 30th, at 09:00 in New York.
    expect(task!.properties.hs_timestamp).toBe('2026-11-30T14:00:00.000Z');
    expect(task!.properties.hubspot_owner_id).toBe(service.sample.owners.rep.ownerId);
    expect(tasksOfDeal(service, enteredMondayNoon)).toHaveLength(0);
  });

  it('the weekend adds no business days: a deal short of its threshold on Friday is still short on Sunday', async () => {
    for (const instant of ['2026-11-28T18:00:00.000Z', '2026-11-29T23:00:00.000Z']) {
      service.clock.set(new Date(instant));
      await sweep(service);
    }

    expect(tasksOfDeal(service, enteredMondayNoon)).toHaveLength(0);
  });

  it('the deal reaches its threshold on Monday, and the deal reminded on Friday is not reminded again', async () => {
    service.clock.set(new Date('2026-11-30T14:30:00.000Z'));
    await sweep(service);

    const [task] = tasksOfDeal(service, enteredMondayNoon);
    expect(task!.properties.hs_timestamp).toBe('2026-12-01T14:00:00.000Z');
    expect(tasksOfDeal(service, enteredSundayEvening)).toHaveLength(1);
  });
});

describe('a playbook that counts business days in its own time zone', () => {
  let service: TestService;
  let dealId: string;

  beforeAll(async () => {
    service = await startTestService({ now: new Date('2026-11-27T20:00:00.000Z') });
    await service.running.services.store.playbooks.savePlaybookVersion(
      SAMPLE_PORTAL_ID,
      { ...DEFAULT_PLAYBOOK, calendar: { timeZone: 'Asia/Tokyo', holidays: [] } },
      // For deals in progress: the deal below entered its stage before this version.
      { now: service.clock.now(), repinsDealsInProgress: true },
    );
    dealId = addDeal(service, {
      name: 'Tokyo team deal',
      stageId: 'qualifiedtobuy',
      // Monday 09:30 in Tokyo (still Sunday in New York).
      enteredAt: new Date('2026-11-16T00:30:00.000Z'),
      ownerId: service.sample.owners.secondRep.ownerId,
      lastActivityAt: LAST_ACTIVITY,
    });
    await projectDeals(service, [dealId]);
  });
  afterAll(async () => {
    await service.stop();
  });

  it('is not stalled on Saturday morning in Tokyo although New York would count ten days already', async () => {
    await sweep(service);

    expect(tasksOfDeal(service, dealId)).toHaveLength(0);
  });

  it('is stalled on Monday morning in Tokyo, with the task due the next Tokyo business morning', async () => {
    service.clock.set(new Date('2026-11-30T00:30:00.000Z'));
    await sweep(service);

    const [task] = tasksOfDeal(service, dealId);
    expect(task!.properties.hs_timestamp).toBe('2026-12-01T00:00:00.000Z');
  });
});
