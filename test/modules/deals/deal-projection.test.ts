import { createStore } from '../../../src/app/store';
import { type StageEntryCursor } from '../../../src/modules/deals';
import { DATABASES } from '../../support/test-databases';
import { useSharedTestStore } from '../../support/store/shared-test-store';
import { buildDealSnapshot, minutesAfter, T0, takePortalId } from '../../support/store/store-builders';
import { countLiveDeals } from '../../support/store/store-reads';
import { upsertDeal } from '../../support/store/store-writes';

describe.each(DATABASES)('deal projection (%s)', (kind) => {
  const testStore = useSharedTestStore(kind);

  it('round-trips a deal read from HubSpot, with its pinned playbook version', async () => {
    const portalId = takePortalId();
    const snapshot = buildDealSnapshot({
      portalId,
      properties: { amount: '1200', closedate: null },
      associations: { contacts: 2, companies: 1 },
      lastActivityAt: minutesAfter(T0, -60),
      nextActivityAt: minutesAfter(T0, 60),
    });

    const result = await upsertDeal(testStore.store, snapshot, {
      observedAt: T0,
      playbookVersion: 3,
    });

    expect(result.outcome).toBe('applied');
    expect(await testStore.store.deals.getDeal(portalId, '123')).toEqual({
      ...snapshot,
      playbookVersion: 3,
      lastEventAt: T0,
      deletedAt: null,
      updatedAt: expect.any(Date),
    });
  });

  it('a HubSpot read older than the last applied one does not move the deal back', async () => {
    const portalId = takePortalId();
    await upsertDeal(testStore.store, buildDealSnapshot({ portalId }), { observedAt: T0 });
    await upsertDeal(
      testStore.store,
      buildDealSnapshot({
        portalId,
        stageId: 'presentationscheduled',
        stageEnteredAt: minutesAfter(T0, 8),
      }),
      { observedAt: minutesAfter(T0, 10) },
    );

    const late = await upsertDeal(
      testStore.store,
      buildDealSnapshot({
        portalId,
        stageId: 'qualifiedtobuy',
        stageEnteredAt: minutesAfter(T0, 3),
        ownerId: '999',
      }),
      { observedAt: minutesAfter(T0, 5) },
    );

    expect(late.outcome).toBe('stale');
    expect(late.deal).toMatchObject({ stageId: 'presentationscheduled', ownerId: '501' });
    expect(await testStore.store.deals.getDeal(portalId, '123')).toMatchObject({
      stageId: 'presentationscheduled',
      stageEnteredAt: minutesAfter(T0, 8),
      lastEventAt: minutesAfter(T0, 10),
    });
  });

  it('concurrent HubSpot reads written in any order leave the deal at the latest one', async () => {
    const portalId = takePortalId();
    await upsertDeal(testStore.store, buildDealSnapshot({ portalId }), { observedAt: T0 });
    // On SQLite a second in-process store would block the event loop (see createStore), so one store
    // serves both halves there; PostgreSQL gets two pools racing for real.
    const second = kind === 'postgres' ? await createStore(testStore.url) : testStore.store;
    try {
      const reads = Array.from({ length: 20 }, (_, index) => ({
        stageId: `stage-${index}`,
        minute: index + 1,
      }));
      const shuffled = [...reads].sort(() => Math.random() - 0.5);
      const writers = [testStore.store, second];

      await Promise.all(
        shuffled.map(({ stageId, minute }, index) =>
          upsertDeal(
            writers[index % 2]!,
            buildDealSnapshot({ portalId, stageId, stageEnteredAt: minutesAfter(T0, minute) }),
            { observedAt: minutesAfter(T0, minute) },
          ),
        ),
      );

      expect(await testStore.store.deals.getDeal(portalId, '123')).toMatchObject({
        stageId: 'stage-19',
        stageEnteredAt: minutesAfter(T0, 20),
        lastEventAt: minutesAfter(T0, 20),
      });
    } finally {
      if (second !== testStore.store) await second.close();
    }
  });

  it('a HubSpot read of the same stage entry keeps the pinned version; a new entry takes the given one', async () => {
    const portalId = takePortalId();
    await upsertDeal(testStore.store, buildDealSnapshot({ portalId }), {
      observedAt: T0,
      playbookVersion: 1,
    });

    await upsertDeal(testStore.store, buildDealSnapshot({ portalId, properties: { amount: '5' } }), {
      observedAt: minutesAfter(T0, 1),
      playbookVersion: 4,
    });
    expect(await testStore.store.deals.getDeal(portalId, '123')).toMatchObject({
      playbookVersion: 1,
      properties: { amount: '5' },
    });

    await upsertDeal(
      testStore.store,
      buildDealSnapshot({ portalId, stageId: 'qualifiedtobuy', stageEnteredAt: minutesAfter(T0, 2) }),
      { observedAt: minutesAfter(T0, 3), playbookVersion: 4 },
    );
    expect(await testStore.store.deals.getDeal(portalId, '123')).toMatchObject({
      stageId: 'qualifiedtobuy',
      playbookVersion: 4,
    });
  });

  it('a deletion of a deal the projection has never seen reports it unknown and creates nothing', async () => {
    const portalId = takePortalId();
    const result = await testStore.store.deals.markDealDeleted(portalId, '404', T0);
    expect(result).toEqual({ outcome: 'unknown-deal', deal: null });
    expect(await testStore.store.deals.getDeal(portalId, '404')).toBeNull();
  });

  it('a deleted deal leaves the sweep and the counts, and an older HubSpot read does not bring it back', async () => {
    const portalId = takePortalId();
    await upsertDeal(testStore.store, buildDealSnapshot({ portalId }), { observedAt: T0 });

    await testStore.store.deals.markDealDeleted(portalId, '123', minutesAfter(T0, 10));
    const late = await upsertDeal(
      testStore.store,
      buildDealSnapshot({ portalId, stageId: 'qualifiedtobuy' }),
      { observedAt: minutesAfter(T0, 5) },
    );

    expect(late.outcome).toBe('stale');
    expect(await testStore.store.deals.getDeal(portalId, '123')).toMatchObject({
      deletedAt: minutesAfter(T0, 10),
    });
    expect(await countLiveDeals(testStore.store, portalId)).toBe(0);
    expect(
      await testStore.store.deals.listDealsEnteredStageBefore(portalId, minutesAfter(T0, 60), { limit: 10 }),
    ).toEqual([]);
  });

  it('the sweep pages through every deal that entered its stage before the cut-off exactly once', async () => {
    const portalId = takePortalId();
    for (let index = 0; index < 25; index += 1) {
      await upsertDeal(
        testStore.store,
        buildDealSnapshot({
          portalId,
          dealId: String(1000 + index),
          stageEnteredAt: minutesAfter(T0, index),
        }),
        { observedAt: minutesAfter(T0, 100) },
      );
    }
    const cutOff = minutesAfter(T0, 20);

    const seen: string[] = [];
    let afterDealId: string | undefined;
    for (;;) {
      const page = await testStore.store.deals.listDealsEnteredStageBefore(portalId, cutOff, {
        afterDealId,
        limit: 6,
      });
      if (page.length === 0) break;
      seen.push(...page.map((deal) => deal.dealId));
      afterDealId = page.at(-1)!.dealId;
    }

    expect(seen).toEqual(Array.from({ length: 20 }, (_, index) => String(1000 + index)));
    expect(await countLiveDeals(testStore.store, portalId)).toBe(25);
  });

  it('the sweep pages by stage entry, ties broken by deal id, once each, with no deleted deal and no other portal', async () => {
    const portalId = takePortalId();
    const otherPortalId = takePortalId();
    // Entries in reverse id order, three deals per minute: the pages must follow the entry, then the id.
    for (let index = 0; index < 24; index += 1) {
      await upsertDeal(
        testStore.store,
        buildDealSnapshot({
          portalId,
          dealId: String(2000 + index),
          stageEnteredAt: minutesAfter(T0, 10 - Math.floor(index / 3)),
        }),
        { observedAt: minutesAfter(T0, 100) },
      );
    }
    await upsertDeal(
      testStore.store,
      buildDealSnapshot({ portalId: otherPortalId, dealId: '2001', stageEnteredAt: T0 }),
      { observedAt: minutesAfter(T0, 100) },
    );
    await testStore.store.deals.markDealDeleted(portalId, '2004', minutesAfter(T0, 101));
    const cutOff = minutesAfter(T0, 9);

    const seen: string[] = [];
    let after: StageEntryCursor | undefined;
    for (let pages = 0; pages < 10; pages += 1) {
      const page = await testStore.store.deals.pageDealsEnteredStageBefore(portalId, cutOff, {
        ...(after === undefined ? {} : { after }),
        limit: 4,
      });
      seen.push(...page.deals.map((deal) => deal.dealId));
      if (page.next === null) break;
      after = page.next;
    }

    const expected = Array.from({ length: 24 }, (_, index) => ({
      dealId: String(2000 + index),
      enteredMinute: 10 - Math.floor(index / 3),
    }))
      .filter((deal) => deal.enteredMinute < 9 && deal.dealId !== '2004')
      .sort(
        (left, right) => left.enteredMinute - right.enteredMinute || left.dealId.localeCompare(right.dealId),
      )
      .map((deal) => deal.dealId);
    expect(seen).toEqual(expected);
  });

  it('reads several deals at once and skips the ids it does not know', async () => {
    const portalId = takePortalId();
    await upsertDeal(testStore.store, buildDealSnapshot({ portalId, dealId: '1' }), {
      observedAt: T0,
    });
    await upsertDeal(testStore.store, buildDealSnapshot({ portalId, dealId: '2' }), {
      observedAt: T0,
    });

    const deals = await testStore.store.deals.getDeals(portalId, ['1', '2', '3', '1']);

    expect(deals.map((deal) => deal.dealId).sort()).toEqual(['1', '2']);
    expect(await testStore.store.deals.getDeals(portalId, [])).toEqual([]);
  });

  it("lists the deals' stage history between two times, with each deal's latest change before the first", async () => {
    const portalId = takePortalId();
    const change = (dealId: string, toStage: string, minutes: number) => ({
      portalId,
      dealId,
      pipelineId: 'default',
      fromStage: null,
      toStage,
      occurredAt: minutesAfter(T0, minutes),
      source: 'webhook',
      dedupeKey: `${dealId}:${toStage}:${minutes}`,
    });
    await testStore.store.stageChanges.recordStageChanges([
      change('1', 'appointmentscheduled', 0),
      change('1', 'qualifiedtobuy', 10),
      change('1', 'presentationscheduled', 20),
      change('1', 'decisionmakerboughtin', 30),
      change('2', 'appointmentscheduled', 5),
      change('1', 'closedwon', 50),
      change('3', 'qualifiedtobuy', 40),
      change('3', 'contractsent', 50),
      change('4', 'appointmentscheduled', 1),
    ]);

    const listed = await testStore.store.stageChanges.listStageChangesBetween(
      portalId,
      ['1', '2', '3'],
      minutesAfter(T0, 20),
      minutesAfter(T0, 50),
    );

    // Deal 1: its change at 10 (the latest before 20) and those from 20 until before 50; deal 2: its
    // only change, before 20; deal 3: the one at 40, not the one at 50; deal 4 was not asked for.
    expect(listed.map((each) => [each.dealId, each.toStage])).toEqual([
      ['2', 'appointmentscheduled'],
      ['1', 'qualifiedtobuy'],
      ['1', 'presentationscheduled'],
      ['1', 'decisionmakerboughtin'],
      ['3', 'qualifiedtobuy'],
    ]);
  });
});
