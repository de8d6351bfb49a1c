import pg from 'pg';
import { createTestStore, type TestStore } from '../../support/test-databases';

/**
 * PostgreSQL may cut an idle connection at any time (restart, failover, pg_terminate_backend). The
 * service must shrug it off: the pool replaces the connection, the process does not crash.
 */
describe('a PostgreSQL store losing its idle connections', () => {
  let testStore: TestStore;
  beforeAll(async () => {
    testStore = await createTestStore('postgres');
  });
  afterAll(async () => testStore.cleanup());

  it('keeps answering after the server terminates every idle connection', async () => {
    const { store, url } = testStore;
    expect((await store.ping()).ok).toBe(true);

    const database = new URL(url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [database],
      );
      expect(rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    // Let the pool notice the dead sockets (this is where an unhandled 'error' event would crash us).
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect((await store.ping()).ok).toBe(true);
    expect(await store.deals.getDeals(1, ['1'])).toEqual([]);
  });
});
