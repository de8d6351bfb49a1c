import { dedupeKeyFor } from '../../../webhooks/hubspot-event.schema';
import { createStore } from '../../../src/app/store';
import { type Store } from '../../../src/platform/db';
import { createTestStore, DATABASES } from '../../support/test-databases';
import { useSharedTestStore } from '../../support/store/shared-test-store';
import { runStoreProcess } from '../../support/store/run-store-process';
import { deliverToInbox } from '../../support/store/inbox-helpers';
import { readDatabase } from '../../support/store/read-database';
import { buildStageEvent, minutesAfter, T0, takePortalId } from '../../support/store/store-builders';

const LEASE_MS = 60_000;

describe.each(DATABASES)('webhook inbox (%s)', (kind) => {
  const testStore = useSharedTestStore(kind);

  it('stores a batch once: redelivered and repeated events are counted as duplicates', async () => {
    const portalId = takePortalId();
    const first = buildStageEvent({ portalId, eventId: 1 });
    const second = buildStageEvent({ portalId, eventId: 2 });

    expect(await deliverToInbox(testStore.store, [first, second, first])).toEqual({
      inserted: 2,
      duplicates: 1,
    });
    expect(
      await deliverToInbox(testStore.store, [second, buildStageEvent({ portalId, eventId: 3 })]),
    ).toEqual({
      inserted: 1,
      duplicates: 1,
    });
  });

  it('treats events sharing an eventId but not the other dedupe fields as distinct', async () => {
    const portalId = takePortalId();
    const result = await deliverToInbox(testStore.store, [
      buildStageEvent({ portalId, eventId: 7, objectId: 1 }),
      buildStageEvent({ portalId, eventId: 7, objectId: 2 }),
      buildStageEvent({ portalId, eventId: 7, objectId: 1, occurredAt: T0.getTime() + 1 }),
      buildStageEvent({ portalId, eventId: 7, objectId: 1, subscriptionId: 999 }),
    ]);
    expect(result).toEqual({ inserted: 4, duplicates: 0 });
  });

  it('keeps the dedupe key the webhook edge computed, in the format keys already stored have', async () => {
    const { store: isolated, cleanup } = await createTestStore(kind);
    try {
      const event = buildStageEvent({ portalId: takePortalId(), eventId: 9, objectId: 77 });
      await deliverToInbox(isolated, [event], { receivedAt: T0 });

      const [claimed] = await isolated.inbox.claimInboxEvents({
        workerId: 'w',
        limit: 1,
        now: T0,
        leaseMs: LEASE_MS,
      });

      expect(claimed!.dedupeKey).toBe(dedupeKeyFor({ ...event, objectId: String(event.objectId) }));
      // Rows written before the key moved to the edge hold this text: a redelivery must produce it again.
      expect(claimed!.dedupeKey).toBe(`12345:9:77:${T0.getTime()}`);
    } finally {
      await cleanup();
    }
  });

  it('the fresh lane also hands out the events received last, behind a backlog of older ones', async () => {
    const { store: isolated, cleanup } = await createTestStore(kind);
    try {
      const portalId = takePortalId();
      const backlog = Array.from({ length: 5 }, (_, index) =>
        buildStageEvent({ portalId, eventId: index + 1, occurredAt: T0.getTime() + index }),
      );
      await deliverToInbox(isolated, backlog, { receivedAt: T0 });
      // Sent later but dated earlier than the backlog: order by occurredAt alone would not help it.
      const fresh = buildStageEvent({ portalId, eventId: 99, occurredAt: T0.getTime() + 60_000 });
      await deliverToInbox(isolated, [fresh], { receivedAt: minutesAfter(T0, 1) });
      const claim = (newest: number) =>
        isolated.inbox.claimInboxEvents({
          workerId: 'w',
          limit: 2,
          now: minutesAfter(T0, 1),
          leaseMs: LEASE_MS,
          newest,
        });

      const first = await claim(1);
      expect(first.map((event) => (event.payload as { eventId: number }).eventId)).toEqual([1, 2, 99]);
      const second = await claim(1);
      expect(second.map((event) => (event.payload as { eventId: number }).eventId)).toEqual([3, 4, 5]);
      expect(await claim(1)).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  it('hands out events oldest occurredAt first with the event the edge parsed', async () => {
    const { store: isolated, cleanup } = await createTestStore(kind);
    try {
      const portalId = takePortalId();
      const late = buildStageEvent({ portalId, occurredAt: T0.getTime() + 5000, stageId: 'closedwon' });
      const early = buildStageEvent({ portalId, occurredAt: T0.getTime(), stageId: 'qualifiedtobuy' });
      await deliverToInbox(isolated, [late, early], { receivedAt: T0 });

      const claimed = await isolated.inbox.claimInboxEvents({
        workerId: 'w1',
        limit: 10,
        now: T0,
        leaseMs: LEASE_MS,
      });

      expect(claimed.map((event) => event.payload)).toMatchObject([
        { eventId: early.eventId, propertyValue: 'qualifiedtobuy' },
        { eventId: late.eventId, propertyValue: 'closedwon' },
      ]);
      expect(claimed[0]).toMatchObject({
        status: 'processing',
        attempts: 1,
        claimedBy: 'w1',
        objectId: '123',
      });
    } finally {
      await cleanup();
    }
  });

  it('gives a crashed worker’s events to another worker once the lease expires, not before', async () => {
    const { store: isolated, cleanup } = await createTestStore(kind);
    try {
      await deliverToInbox(isolated, [buildStageEvent({ portalId: takePortalId() })], {
        receivedAt: T0,
      });
      const [taken] = await isolated.inbox.claimInboxEvents({
        workerId: 'crashed',
        limit: 5,
        now: T0,
        leaseMs: 1000,
      });

      const tooEarly = await isolated.inbox.claimInboxEvents({
        workerId: 'rescuer',
        limit: 5,
        now: new Date(T0.getTime() + 999),
        leaseMs: 1000,
      });
      const afterLease = await isolated.inbox.claimInboxEvents({
        workerId: 'rescuer',
        limit: 5,
        now: new Date(T0.getTime() + 1000),
        leaseMs: 1000,
      });

      expect(tooEarly).toEqual([]);
      expect(afterLease).toHaveLength(1);
      expect(afterLease[0]).toMatchObject({ id: taken!.id, claimedBy: 'rescuer', attempts: 2 });
    } finally {
      await cleanup();
    }
  });

  it('retries a failed event only from its next attempt time, and never hands out done or parked events', async () => {
    const { store: isolated, url, cleanup } = await createTestStore(kind);
    try {
      const portalId = takePortalId();
      await deliverToInbox(
        isolated,
        [
          buildStageEvent({ portalId, eventId: 1 }),
          buildStageEvent({ portalId, eventId: 2 }),
          buildStageEvent({ portalId, eventId: 3 }),
        ],
        { receivedAt: T0 },
      );
      const [toRetry, toPark, toComplete] = await isolated.inbox.claimInboxEvents({
        workerId: 'w',
        limit: 3,
        now: T0,
        leaseMs: LEASE_MS,
      });
      await isolated.inbox.retryInboxEvent(toRetry!.id, 'HubSpot answered 503', minutesAfter(T0, 5));
      await isolated.inbox.parkInboxEvent(toPark!.id, 'unknown subscription type');
      await isolated.inbox.completeInboxEvents([toComplete!.id]);

      const beforeRetryTime = await isolated.inbox.claimInboxEvents({
        workerId: 'w',
        limit: 10,
        now: minutesAfter(T0, 4),
        leaseMs: LEASE_MS,
      });
      const atRetryTime = await isolated.inbox.claimInboxEvents({
        workerId: 'w',
        limit: 10,
        now: minutesAfter(T0, 5),
        leaseMs: LEASE_MS,
      });

      expect(beforeRetryTime).toEqual([]);
      expect(atRetryTime.map((event) => event.id)).toEqual([toRetry!.id]);
      expect(atRetryTime[0]).toMatchObject({ attempts: 2, lastError: 'HubSpot answered 503' });
      expect(
        await readDatabase(url, (db) =>
          db
            .selectFrom('webhook_inbox')
            .select(['status', 'last_error'])
            .where('id', '=', toPark!.id)
            .executeTakeFirst(),
        ),
      ).toEqual({ status: 'parked', last_error: 'unknown subscription type' });
      expect(await isolated.inbox.countInboxByStatus()).toEqual({
        pending: 0,
        processing: 1,
        done: 1,
        parked: 1,
      });
    } finally {
      await cleanup();
    }
  });

  it('reports the backlog: counts per status and the age of the oldest unfinished event', async () => {
    const { store: isolated, cleanup } = await createTestStore(kind);
    try {
      expect(await isolated.inbox.oldestPendingAge(T0)).toBeNull();
      const portalId = takePortalId();
      await deliverToInbox(isolated, [buildStageEvent({ portalId, eventId: 1 })], { receivedAt: T0 });
      await deliverToInbox(isolated, [buildStageEvent({ portalId, eventId: 2 })], {
        receivedAt: minutesAfter(T0, 1),
      });

      expect(await isolated.inbox.countInboxByStatus()).toEqual({
        pending: 2,
        processing: 0,
        done: 0,
        parked: 0,
      });
      expect(await isolated.inbox.oldestPendingAge(minutesAfter(T0, 3))).toBe(3 * 60_000);
    } finally {
      await cleanup();
    }
  });

  it('two workers claiming at once never receive the same event', async () => {
    const { store: first, url, cleanup } = await createTestStore(kind);
    try {
      const portalId = takePortalId();
      const events = Array.from({ length: 120 }, (_, index) =>
        buildStageEvent({ portalId, eventId: index + 1, occurredAt: T0.getTime() + index }),
      );
      await deliverToInbox(first, events, { receivedAt: T0 });

      // Two OS processes, each with its own store (its own pool or SQLite connection), as two instances.
      const [a, b] = await Promise.all([
        runStoreProcess<{ claimed: string[] }>(
          url,
          'claim',
          'worker-a',
          '3',
          T0.toISOString(),
          String(LEASE_MS),
        ),
        runStoreProcess<{ claimed: string[] }>(
          url,
          'claim',
          'worker-b',
          '3',
          T0.toISOString(),
          String(LEASE_MS),
        ),
      ]);

      const all = [...a.claimed, ...b.claimed];
      expect(new Set(all).size).toBe(all.length);
      expect(all).toHaveLength(events.length);
    } finally {
      await cleanup();
    }
  });

  if (kind === 'postgres') {
    it('two pools in one process claiming in tight loops never receive the same event', async () => {
      const { store: first, url, cleanup } = await createTestStore(kind);
      const second = await createStore(url);
      try {
        const portalId = takePortalId();
        await deliverToInbox(
          first,
          Array.from({ length: 300 }, (_, index) => buildStageEvent({ portalId, eventId: index + 1 })),
          { receivedAt: T0 },
        );
        const drain = async (claimer: Store, workerId: string) => {
          const ids: string[] = [];
          for (;;) {
            const batch = await claimer.inbox.claimInboxEvents({
              workerId,
              limit: 4,
              now: T0,
              leaseMs: LEASE_MS,
            });
            if (batch.length === 0) return ids;
            ids.push(...batch.map((event) => event.id));
          }
        };

        const claims = await Promise.all([
          drain(first, 'a1'),
          drain(first, 'a2'),
          drain(second, 'b1'),
          drain(second, 'b2'),
        ]);

        const all = claims.flat();
        expect(new Set(all).size).toBe(300);
        expect(all).toHaveLength(300);
      } finally {
        await second.close();
        await cleanup();
      }
    });
  }
});
