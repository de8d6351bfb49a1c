import { createStore } from '../../../src/app/store';
import { runStoreProcess } from '../../support/store/run-store-process';
import { createTestStore, DATABASES, testDatabaseUrl, type TestStore } from '../../support/test-databases';

describe.each(DATABASES)('store start-up (%s)', (kind) => {
  let testStore: TestStore;

  beforeAll(async () => {
    testStore = await createTestStore(kind);
  });
  afterAll(async () => {
    await testStore.cleanup();
  });

  it('running the migrations again at the next start-up changes nothing and loses no data', async () => {
    const { store, url } = testStore;
    await store.playbooks.savePlaybookVersion(62515, { name: 'kept across restarts' });

    await store.migrate();
    const restarted = await createStore(url);
    try {
      await restarted.migrate();
      expect(await restarted.playbooks.getCurrentPlaybook(62515)).toMatchObject({
        version: 1,
        document: { name: 'kept across restarts' },
      });
    } finally {
      await restarted.close();
    }
  });

  it('reports itself ready with its dialect', async () => {
    expect(await testStore.store.ping()).toEqual({ ok: true, dialect: kind });
    expect(testStore.store.dialect).toBe(kind);
  });

  it('two instances starting at once both end up on the migrated schema', async () => {
    const database = await testDatabaseUrl(kind);
    try {
      // Separate OS processes, as in production: SQLite's locks only arbitrate between processes.
      const outcomes = await Promise.all([
        runStoreProcess(database.url, 'migrate'),
        runStoreProcess(database.url, 'migrate'),
      ]);
      expect(outcomes).toEqual([{ migrated: true }, { migrated: true }]);
      const store = await createStore(database.url);
      try {
        await store.migrate();
        expect(await store.deals.getDeals(62515, ['1'])).toEqual([]);
      } finally {
        await store.close();
      }
    } finally {
      await database.cleanup();
    }
  });
});

describe('store configuration', () => {
  it('refuses a database URL that is neither sqlite: nor postgres://', async () => {
    await expect(createStore('mysql://localhost/db')).rejects.toThrow(/DATABASE_URL/);
  });

  it('creates the folder of a SQLite file that does not exist yet', async () => {
    const database = await testDatabaseUrl('sqlite');
    const nestedUrl = database.url.replace(/store\.db$/, 'nested/deeper/store.db');
    const store = await createStore(nestedUrl);
    try {
      await store.migrate();
      expect(await store.ping()).toEqual({ ok: true, dialect: 'sqlite' });
    } finally {
      await store.close();
      await database.cleanup();
    }
  });
});
