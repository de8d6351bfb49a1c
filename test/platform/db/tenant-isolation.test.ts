import { buildReminderKey } from '../../../src/domain';
import { DATABASES } from '../../support/test-databases';
import { useSharedTestStore } from '../../support/store/shared-test-store';
import {
  buildDealSnapshot,
  buildStageEvent,
  minutesAfter,
  T0,
  takePortalId,
} from '../../support/store/store-builders';
import { deliverToInbox } from '../../support/store/inbox-helpers';
import { readDatabase } from '../../support/store/read-database';
import { countLiveDeals } from '../../support/store/store-reads';
import { upsertDeal } from '../../support/store/store-writes';

describe.each(DATABASES)('tenant isolation (%s)', (kind) => {
  const testStore = useSharedTestStore(kind);
  let portalA: number;
  let portalB: number;

  beforeAll(async () => {
    portalA = takePortalId();
    portalB = takePortalId();
    // Both portals hold the same deal id: HubSpot ids are only unique within a portal.
    for (const [portalId, stageId] of [
      [portalA, 'qualifiedtobuy'],
      [portalB, 'closedwon'],
    ] as const) {
      await testStore.store.portals.upsertPortal({ portalId, timeZone: 'UTC', installedAt: T0 });
      await upsertDeal(testStore.store, buildDealSnapshot({ portalId, stageId }), {
        observedAt: T0,
      });
      await testStore.store.playbooks.savePlaybookVersion(portalId, { name: `playbook of ${portalId}` });
    }
  });

  it('portal A never sees portal B’s deal, even with the same deal id', async () => {
    expect(await testStore.store.deals.getDeal(portalA, '123')).toMatchObject({
      portalId: portalA,
      stageId: 'qualifiedtobuy',
    });
    expect(await testStore.store.deals.getDeals(portalB, ['123'])).toMatchObject([
      { portalId: portalB, stageId: 'closedwon' },
    ]);
    expect(await countLiveDeals(testStore.store, portalA)).toBe(1);
    expect(
      await testStore.store.deals.listDealsEnteredStageBefore(portalA, minutesAfter(T0, 1), { limit: 10 }),
    ).toMatchObject([{ portalId: portalA }]);
  });

  it('a HubSpot read and a deletion in portal B do not touch portal A’s deal', async () => {
    await upsertDeal(
      testStore.store,
      buildDealSnapshot({ portalId: portalB, stageId: 'closedlost', ownerId: '999' }),
      { observedAt: minutesAfter(T0, 5) },
    );
    await testStore.store.deals.markDealDeleted(portalB, '123', minutesAfter(T0, 6));

    expect(await testStore.store.deals.getDeal(portalA, '123')).toMatchObject({
      stageId: 'qualifiedtobuy',
      ownerId: '501',
      deletedAt: null,
    });
  });

  it('each portal has its own playbook versions', async () => {
    await testStore.store.playbooks.savePlaybookVersion(portalB, { name: 'second of B' });

    expect(await testStore.store.playbooks.getCurrentPlaybook(portalA)).toMatchObject({
      version: 1,
      document: { name: `playbook of ${portalA}` },
    });
    expect(await testStore.store.playbooks.getCurrentPlaybook(portalB)).toMatchObject({ version: 2 });
  });

  it('checklists, stage history, reminders and snoozes stay with their portal', async () => {
    await testStore.store.actions.appendActionCompletion({
      portalId: portalB,
      dealId: '123',
      stageEnteredAt: T0,
      stepId: 'qualification',
      actionId: 'discovery-call',
      done: true,
      userId: '1',
      userEmail: null,
      note: null,
      at: T0,
    });
    await testStore.store.stageChanges.recordStageChanges([
      {
        portalId: portalB,
        dealId: '123',
        fromStage: 'closedwon',
        toStage: 'closedlost',
        occurredAt: T0,
        source: 'webhook',
      },
    ]);
    const identity = {
      portalId: portalB,
      dealId: '123',
      stageEnteredAt: T0,
      kind: 'owner' as const,
      round: 1,
    };
    await testStore.store.reminders.recordReminderIntent(buildReminderKey(identity), {
      ...identity,
      now: T0,
    });
    await testStore.store.snoozes.addSnooze({
      portalId: portalB,
      dealId: '123',
      until: minutesAfter(T0, 60),
    });

    expect(await testStore.store.actions.listActionStates(portalA, '123')).toEqual([]);
    expect(await testStore.store.auditTrail.listAuditRecords(portalA, { dealId: '123' })).toEqual({
      stageChanges: [],
      actionCompletions: [],
      snoozes: [],
    });
    expect(await testStore.store.reminders.listOpenRemindersForDeal(portalA, '123')).toEqual([]);
    expect(await testStore.store.snoozes.getActiveSnooze(portalA, '123', T0)).toBeNull();
    expect(await testStore.store.snoozes.getActiveSnooze(portalB, '123', T0)).not.toBeNull();
  });

  it('the same webhook event in two portals is two events, not a duplicate', async () => {
    const shared = { eventId: 42, subscriptionId: 1, objectId: 123, occurredAt: T0.getTime() };
    const result = await deliverToInbox(testStore.store, [
      buildStageEvent({ ...shared, portalId: portalA }),
      buildStageEvent({ ...shared, portalId: portalB }),
    ]);
    expect(result).toEqual({ inserted: 2, duplicates: 0 });
  });
});

describe.each(DATABASES)('portals and stage history (%s)', (kind) => {
  const testStore = useSharedTestStore(kind);

  it('recording an installation again updates it and keeps the domain a later record does not know', async () => {
    const portalId = takePortalId();
    await testStore.store.portals.upsertPortal({
      portalId,
      timeZone: 'America/New_York',
      hubDomain: 'acme.com',
      installedAt: T0,
    });
    await testStore.store.portals.upsertPortal({
      portalId,
      timeZone: 'Europe/Berlin',
      installedAt: minutesAfter(T0, 20),
    });

    const rows = await readDatabase(testStore.url, (db) =>
      db.selectFrom('portals').selectAll().where('portal_id', '=', portalId).execute(),
    );
    expect(rows.map((row) => ({ ...row, installed_at: Number(row.installed_at) }))).toMatchObject([
      {
        time_zone: 'Europe/Berlin',
        hub_domain: 'acme.com',
        installed_at: minutesAfter(T0, 20).getTime(),
        uninstalled_at: null,
      },
    ]);
  });

  it('a redelivered stage event is recorded in the history once', async () => {
    const portalId = takePortalId();
    const change = {
      portalId,
      dealId: '123',
      fromStage: 'appointmentscheduled',
      toStage: 'qualifiedtobuy',
      occurredAt: minutesAfter(T0, 2),
      source: 'webhook',
      dedupeKey: '12345:1:123:1',
    };

    expect(await testStore.store.stageChanges.recordStageChanges([change])).toBe(1);
    expect(await testStore.store.stageChanges.recordStageChanges([change])).toBe(0);
    await testStore.store.stageChanges.recordStageChanges([
      {
        ...change,
        dedupeKey: null,
        occurredAt: T0,
        toStage: 'x',
      },
    ]);
    await testStore.store.stageChanges.recordStageChanges([
      {
        ...change,
        dedupeKey: null,
        occurredAt: T0,
        toStage: 'x',
      },
    ]);

    const history = (filter: { since?: Date } = {}) =>
      testStore.store.auditTrail.listAuditRecords(portalId, { dealId: '123', ...filter });
    expect((await history()).stageChanges.map((entry) => entry.toStage)).toEqual([
      'x',
      'x',
      'qualifiedtobuy',
    ]);
    expect((await history({ since: minutesAfter(T0, 1) })).stageChanges).toMatchObject([
      { toStage: 'qualifiedtobuy', dedupeKey: '12345:1:123:1', source: 'webhook' },
    ]);
  });
});
