import { sql } from 'kysely';
import { createTestStore, type TestStore } from '../../support/test-databases';
import { createSqliteWriteTurn, TURN_FREE, TURN_WRITER } from '../../../src/platform/db/sqlite-write-turn';

describe('SQLite write turn', () => {
  it('the main thread waits without blocking while another thread holds the turn, and goes when it is given back', async () => {
    const turn = createSqliteWriteTurn({ maxWaitMs: 5_000 });
    const word = new Int32Array(turn.buffer);
    // The journal writer thread takes it as the worker does.
    expect(Atomics.compareExchange(word, 0, TURN_FREE, TURN_WRITER)).toBe(TURN_FREE);
    let acquired = false;
    const acquiring = turn.acquire().then(() => (acquired = true));

    // The event loop keeps running meanwhile: a timer fires while the turn is held elsewhere.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(acquired).toBe(false);
    Atomics.store(word, 0, TURN_FREE);
    Atomics.notify(word, 0);
    await acquiring;
    expect(acquired).toBe(true);
    expect(Atomics.load(word, 0)).not.toBe(TURN_FREE);

    turn.release();
    expect(Atomics.load(word, 0)).toBe(TURN_FREE);
  });

  it('goes ahead after maxWaitMs when the turn is never given back (SQLite locks still decide)', async () => {
    const turn = createSqliteWriteTurn({ maxWaitMs: 30 });
    const word = new Int32Array(turn.buffer);
    Atomics.store(word, 0, TURN_WRITER);

    await turn.acquire();
    turn.release();

    // A turn it did not take is not freed on release: the holder keeps it.
    expect(Atomics.load(word, 0)).toBe(TURN_WRITER);
  });
});

describe('SQLite statements on the main connection', () => {
  let database: TestStore;
  beforeAll(async () => {
    database = await createTestStore('sqlite');
  });
  afterAll(async () => {
    await database.cleanup();
  });

  it('a long chain of awaited statements lets the event loop run between them (timers fire, requests get read)', async () => {
    const { db } = database.store.context;
    let timerFiredAfter: number | null = null;
    let statements = 0;
    setTimeout(() => (timerFiredAfter = statements), 0);

    // Each statement runs synchronously and resolves at once: without a yield the timer waits for the end.
    const started = performance.now();
    while (performance.now() - started < 200) {
      await sql`select count(*) from webhook_inbox`.execute(db);
      statements += 1;
    }

    expect(timerFiredAfter).not.toBeNull();
    expect(timerFiredAfter!).toBeLessThan(statements);
  });
});
