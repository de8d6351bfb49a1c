import { buildReminderKey, type ReminderIdentity } from '../../../src/domain';
import { createStore } from '../../../src/app/store';
import { DATABASES } from '../../support/test-databases';
import { useSharedTestStore } from '../../support/store/shared-test-store';
import { minutesAfter, T0, takePortalId } from '../../support/store/store-builders';

function buildReminderIdentity(
  overrides: Partial<ReminderIdentity> & { portalId: number },
): ReminderIdentity {
  return { dealId: '123', stageEnteredAt: T0, kind: 'owner', round: 1, ...overrides };
}

describe.each(DATABASES)('reminders and snoozes (%s)', (kind) => {
  const testStore = useSharedTestStore(kind);

  it('the same stall (portal, deal, stage entry, kind, round) gets one key, and any difference another', () => {
    const identity = buildReminderIdentity({ portalId: 1 });
    const key = buildReminderKey(identity);

    expect(buildReminderKey({ ...identity })).toBe(key);
    expect(
      new Set([
        key,
        buildReminderKey({ ...identity, portalId: 2 }),
        buildReminderKey({ ...identity, dealId: '124' }),
        buildReminderKey({ ...identity, stageEnteredAt: minutesAfter(T0, 1) }),
        buildReminderKey({ ...identity, kind: 'escalation' }),
        buildReminderKey({ ...identity, round: 2 }),
      ]).size,
    ).toBe(6);
  });

  it('only the first of several sweeps recording the same reminder is told to send it', async () => {
    const identity = buildReminderIdentity({ portalId: takePortalId() });
    const key = buildReminderKey(identity);
    const second = kind === 'postgres' ? await createStore(testStore.url) : testStore.store;
    try {
      const attempts = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          (index % 2 === 0 ? testStore.store : second).reminders.recordReminderIntent(key, {
            ...identity,
            dueAt: minutesAfter(T0, 60),
            now: T0,
          }),
        ),
      );

      expect(attempts.filter((attempt) => attempt.created)).toHaveLength(1);
      expect(
        attempts.every((attempt) => attempt.reminder.key === key && attempt.reminder.status === 'intent'),
      ).toBe(true);
    } finally {
      if (second !== testStore.store) await second.close();
    }
  });

  it('a sent reminder keeps its task id, and a later failure does not hide that it was sent', async () => {
    const identity = buildReminderIdentity({ portalId: takePortalId() });
    const key = buildReminderKey(identity);
    await testStore.store.reminders.recordReminderIntent(key, { ...identity, now: T0 });

    await testStore.store.reminders.markReminderSent(key, 'task-9001', minutesAfter(T0, 1));
    await testStore.store.reminders.markReminderFailed(key, 'timeout', minutesAfter(T0, 2));

    expect(await testStore.store.reminders.getReminder(key)).toMatchObject({
      status: 'sent',
      hubspotTaskId: 'task-9001',
      attempts: 1,
    });
    expect(
      await testStore.store.reminders.recordReminderIntent(key, { ...identity, now: minutesAfter(T0, 3) }),
    ).toMatchObject({
      created: false,
      reminder: { status: 'sent' },
    });
  });

  it('a failed reminder can be retried by exactly one claimer', async () => {
    const identity = buildReminderIdentity({ portalId: takePortalId(), kind: 'escalation' });
    const key = buildReminderKey(identity);
    await testStore.store.reminders.recordReminderIntent(key, { ...identity, now: T0 });
    await testStore.store.reminders.markReminderFailed(key, 'HubSpot 503', minutesAfter(T0, 1));

    const claims = await Promise.all([
      testStore.store.reminders.claimFailedReminder(key, minutesAfter(T0, 2)),
      testStore.store.reminders.claimFailedReminder(key, minutesAfter(T0, 2)),
    ]);

    expect(claims.sort()).toEqual([false, true]);
    expect(await testStore.store.reminders.getReminder(key)).toMatchObject({
      status: 'intent',
      attempts: 1,
      lastError: 'HubSpot 503',
    });
  });

  it('completed reminders leave the deal’s open list', async () => {
    const portalId = takePortalId();
    const owner = buildReminderIdentity({ portalId });
    const escalation = buildReminderIdentity({ portalId, kind: 'escalation' });
    await testStore.store.reminders.recordReminderIntent(buildReminderKey(owner), { ...owner, now: T0 });
    await testStore.store.reminders.recordReminderIntent(buildReminderKey(escalation), {
      ...escalation,
      now: minutesAfter(T0, 1),
    });

    expect(
      (await testStore.store.reminders.listOpenRemindersForDeal(portalId, '123')).map(
        (reminder) => reminder.kind,
      ),
    ).toEqual(['owner', 'escalation']);

    await testStore.store.reminders.markRemindersCompleted([buildReminderKey(owner)], minutesAfter(T0, 2));
    expect(
      (await testStore.store.reminders.listOpenRemindersForDeal(portalId, '123')).map(
        (reminder) => reminder.kind,
      ),
    ).toEqual(['escalation']);
  });

  it('a snooze holds until its end, and one given for an earlier stage entry no longer counts', async () => {
    const portalId = takePortalId();
    await testStore.store.snoozes.addSnooze({
      portalId,
      dealId: '123',
      stageEnteredAt: T0,
      until: minutesAfter(T0, 60),
      reason: 'Customer on holiday',
      userId: '101',
      now: T0,
    });

    expect(
      await testStore.store.snoozes.getActiveSnooze(portalId, '123', minutesAfter(T0, 59)),
    ).toMatchObject({
      reason: 'Customer on holiday',
      until: minutesAfter(T0, 60),
    });
    expect(await testStore.store.snoozes.getActiveSnooze(portalId, '123', minutesAfter(T0, 60))).toBeNull();
    expect(
      await testStore.store.snoozes.getActiveSnooze(portalId, '123', minutesAfter(T0, 30), {
        stageEnteredAt: minutesAfter(T0, 10),
      }),
    ).toBeNull();
  });

  it('of overlapping snoozes the one lasting longest is the active one', async () => {
    const portalId = takePortalId();
    await testStore.store.snoozes.addSnooze({
      portalId,
      dealId: '123',
      until: minutesAfter(T0, 120),
      now: T0,
    });
    await testStore.store.snoozes.addSnooze({
      portalId,
      dealId: '123',
      until: minutesAfter(T0, 30),
      now: T0,
    });

    expect(await testStore.store.snoozes.getActiveSnooze(portalId, '123', T0)).toMatchObject({
      until: minutesAfter(T0, 120),
    });
  });
});
