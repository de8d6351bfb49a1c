import { execFile, type ExecFileException } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { explodeJournalBody } from '../../../src/modules/intake/webhook-journal';
import { createStore } from '../../../src/app/store';
import { type ExplodeJournalBody } from '../../../src/modules/intake';
import { type Store } from '../../../src/platform/db';
import { createTestStore, DATABASES, type TestStore } from '../../support/test-databases';
import { runStoreProcess } from '../../support/store/run-store-process';
import {
  buildStageEvent,
  T0,
  takePortalId,
  type HubSpotStageEvent,
} from '../../support/store/store-builders';

const STORE_PROCESS_SCRIPT = path.resolve(__dirname, '../../support/store/store-process.ts');

/** A webhook request's body as HubSpot sends it: a JSON array of events. */
function bodyOf(events: HubSpotStageEvent[]): string {
  return JSON.stringify(events);
}

function stageEvents(portalId: number, firstEventId: number, count: number): HubSpotStageEvent[] {
  return Array.from({ length: count }, (_, index) =>
    buildStageEvent({ portalId, eventId: firstEventId + index, objectId: 500 + index }),
  );
}

/**
 * Runs store-process.ts `command` on `bodies` (through a temporary file) with Node itself and tsx's
 * loader, not the tsx CLI: the CLI is a parent process that would outlive a kill.
 */
async function runWithBodies(url: string, command: string, bodies: string[], timeoutMs: number) {
  const folder = mkdtempSync(path.join(tmpdir(), 'sop-journal-'));
  const bodiesFile = path.join(folder, 'bodies.json');
  writeFileSync(bodiesFile, JSON.stringify(bodies));
  try {
    return await new Promise<{ error: ExecFileException | null; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', STORE_PROCESS_SCRIPT, url, command, bodiesFile],
        { timeout: timeoutMs },
        (error, stdout) => resolve({ error, stdout }),
      );
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function moveAll(store: Store, explode: ExplodeJournalBody = explodeJournalBody, limit = 50) {
  return store.journal.moveToInbox({ limit, explode });
}

describe.each(DATABASES)('webhook journal (%s)', (kind) => {
  let testStore: TestStore;
  beforeEach(async () => {
    testStore = await createTestStore(kind);
  });
  afterEach(async () => {
    await testStore.cleanup();
  });

  it('journals concurrent appends, each resolved after its commit, and moves every event into the inbox once', async () => {
    const { store } = testStore;
    const portalId = takePortalId();
    const bodies = Array.from({ length: 24 }, (_, index) => bodyOf(stageEvents(portalId, index * 10, 10)));

    await Promise.all(bodies.map((body) => store.journal.append({ body, eventCount: 10, receivedAt: T0 })));
    expect(await store.journal.counts()).toEqual({
      pendingBatches: 24,
      pendingEvents: 240,
      parkedBatches: 0,
    });
    expect(await store.journal.oldestPendingAge(new Date(T0.getTime() + 5000))).toBe(5000);

    expect(await moveAll(store, explodeJournalBody, 10)).toEqual({
      moved: 10,
      parked: 0,
      inserted: 100,
      duplicates: 0,
    });
    expect(await moveAll(store)).toEqual({ moved: 14, parked: 0, inserted: 140, duplicates: 0 });
    expect(await moveAll(store)).toEqual({ moved: 0, parked: 0, inserted: 0, duplicates: 0 });

    expect(await store.journal.counts()).toEqual({ pendingBatches: 0, pendingEvents: 0, parkedBatches: 0 });
    expect(await store.journal.oldestPendingAge(T0)).toBeNull();
    expect(await store.inbox.countInboxByStatus()).toMatchObject({ pending: 240 });
  });

  it('moves the oldest rows first, with the time each request was received', async () => {
    const { store } = testStore;
    const portalId = takePortalId();
    const seen: string[] = [];
    const recording: ExplodeJournalBody = (body) => {
      seen.push(body);
      return explodeJournalBody(body);
    };
    const bodies = [1, 2, 3].map((n) => bodyOf(stageEvents(portalId, n * 100, 1)));
    for (const [index, body] of bodies.entries()) {
      await store.journal.append({ body, eventCount: 1, receivedAt: new Date(T0.getTime() + index * 1000) });
    }

    await moveAll(store, recording, 2);
    expect(seen).toEqual(bodies.slice(0, 2));

    const [first] = await store.inbox.claimInboxEvents({ workerId: 'w', limit: 1, now: T0, leaseMs: 1000 });
    expect(first!.receivedAt).toEqual(T0);
    expect(first!.payload).toMatchObject({ kind: 'stage-change', portalId, eventId: 100, objectId: '500' });
  });

  it('stops taking rows once maxEvents were moved, always taking at least one', async () => {
    const { store } = testStore;
    const portalId = takePortalId();
    for (let index = 0; index < 6; index += 1) {
      const body = bodyOf(stageEvents(portalId, index * 10, 4));
      await store.journal.append({ body, eventCount: 4, receivedAt: T0 });
    }
    const move = (maxEvents: number) =>
      store.journal.moveToInbox({ limit: 50, maxEvents, explode: explodeJournalBody });

    expect(await move(10)).toEqual({ moved: 3, parked: 0, inserted: 12, duplicates: 0 });
    expect(await move(1)).toEqual({ moved: 1, parked: 0, inserted: 4, duplicates: 0 });
    expect(await store.journal.counts()).toMatchObject({ pendingBatches: 2, pendingEvents: 8 });
  });

  it('the fresh lane also moves the newest row, however many older rows wait before it', async () => {
    const { store } = testStore;
    const portalId = takePortalId();
    for (let index = 0; index < 5; index += 1) {
      const body = bodyOf(stageEvents(portalId, index * 10, 2));
      await store.journal.append({ body, eventCount: 2, receivedAt: new Date(T0.getTime() + index) });
    }
    const newest = bodyOf(stageEvents(portalId, 900, 1));
    await store.journal.append({ body: newest, eventCount: 1, receivedAt: new Date(T0.getTime() + 10) });
    const seen: string[] = [];
    const recording: ExplodeJournalBody = (body) => {
      seen.push(body);
      return explodeJournalBody(body);
    };

    expect(await store.journal.moveToInbox({ limit: 2, newest: 1, explode: recording })).toEqual({
      moved: 3,
      parked: 0,
      inserted: 5,
      duplicates: 0,
    });
    expect(seen[0]).toBe(newest);
    expect(await store.journal.counts()).toMatchObject({ pendingBatches: 3, pendingEvents: 6 });
    // Taken once: the next move starts with what was left, oldest first.
    expect(await moveAll(store)).toEqual({ moved: 3, parked: 0, inserted: 6, duplicates: 0 });
  });

  it('recognises a redelivered batch as duplicates when it moves it', async () => {
    const { store } = testStore;
    const body = bodyOf(stageEvents(takePortalId(), 1, 5));
    await store.journal.append({ body, eventCount: 5, receivedAt: T0 });
    await store.journal.append({ body, eventCount: 5, receivedAt: T0 });

    expect(await moveAll(store)).toEqual({ moved: 2, parked: 0, inserted: 5, duplicates: 5 });
    expect(await store.inbox.countInboxByStatus()).toMatchObject({ pending: 5 });
  });

  it('keeps a full batch compressed: lz4 on a PostgreSQL that offers it, and moves it back whole', async () => {
    const { store, url } = testStore;
    const portalId = takePortalId();
    const events = stageEvents(portalId, 1, 100);
    await store.journal.append({ body: bodyOf(events), eventCount: 100, receivedAt: T0 });

    if (kind === 'postgres') {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const offered = await client.query<{ lz4: boolean }>(
          `select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'`,
        );
        const stored = await client.query<{ compression: string }>(
          'select pg_column_compression(body) as compression from webhook_journal',
        );
        expect(stored.rows).toEqual([{ compression: offered.rows[0]!.lz4 ? 'lz4' : 'pglz' }]);
      } finally {
        await client.end();
      }
    }
    expect(await moveAll(store)).toEqual({ moved: 1, parked: 0, inserted: 100, duplicates: 0 });
    expect(await store.inbox.countInboxByStatus()).toMatchObject({ pending: 100 });
  });

  it('parks a row that no longer parses, keeps it, and goes on with the others', async () => {
    const { store } = testStore;
    const portalId = takePortalId();
    await store.journal.append({ body: bodyOf(stageEvents(portalId, 1, 2)), eventCount: 2, receivedAt: T0 });
    await store.journal.append({ body: '[{"eventId": "not a number"}]', eventCount: 1, receivedAt: T0 });
    await store.journal.append({ body: bodyOf(stageEvents(portalId, 10, 3)), eventCount: 3, receivedAt: T0 });

    expect(await moveAll(store)).toEqual({ moved: 2, parked: 1, inserted: 5, duplicates: 0 });
    expect(await moveAll(store)).toEqual({ moved: 0, parked: 0, inserted: 0, duplicates: 0 });
    expect(await store.journal.counts()).toEqual({ pendingBatches: 0, pendingEvents: 0, parkedBatches: 1 });
  });

  it('two processes moving at once move every row exactly once', async () => {
    const { store, url } = testStore;
    const portalId = takePortalId();
    for (let index = 0; index < 30; index += 1) {
      await store.journal.append({
        body: bodyOf(stageEvents(portalId, index * 10, 10)),
        eventCount: 10,
        receivedAt: T0,
      });
    }

    const [first, second] = await Promise.all([
      runStoreProcess<{ moved: number }>(url, 'move', '2'),
      runStoreProcess<{ moved: number }>(url, 'move', '2'),
    ]);

    expect(first.moved + second.moved).toBe(30);
    expect(await store.inbox.countInboxByStatus()).toMatchObject({ pending: 300 });
    expect(await store.journal.counts()).toMatchObject({ pendingBatches: 0 });
  });

  it('keeps every acknowledged append when the process is killed right after the acks', async () => {
    const { url } = testStore;
    const portalId = takePortalId();
    const bodies = Array.from({ length: 40 }, (_, index) => bodyOf(stageEvents(portalId, index * 3, 3)));
    const { error, stdout: printed } = await runWithBodies(url, 'append-then-crash', bodies, 60_000);
    expect(error?.signal).toBe('SIGKILL');
    expect(JSON.parse(printed)).toEqual({ acknowledged: 40 });

    const reopened = await createStore(url);
    try {
      expect(await reopened.journal.counts()).toMatchObject({ pendingBatches: 40 });
      expect(await moveAll(reopened)).toMatchObject({ moved: 40, inserted: 120 });
    } finally {
      await reopened.close();
    }
  });

  it('lets a process that appended exit on its own once the appends are committed', async () => {
    const { store, url } = testStore;
    const portalId = takePortalId();
    const bodies = Array.from({ length: 5 }, (_, index) => bodyOf(stageEvents(portalId, index * 2, 2)));
    // The process never closes its store: on SQLite an idle writer thread that still held the process
    // would keep it running until the timeout kills it.
    const { error, stdout } = await runWithBodies(url, 'append-then-return', bodies, 30_000);
    const exit = { code: error ? (error.code as number | null) : 0, signal: error?.signal ?? null, stdout };

    expect(exit).toEqual({ code: 0, signal: null, stdout: JSON.stringify({ acknowledged: 5 }) });
    expect(await store.journal.counts()).toMatchObject({ pendingBatches: 5 });
  }, 60_000);
});
