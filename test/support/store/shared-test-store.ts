import type { Store } from '../../../src/platform/db';
import { createTestStore, type TestDatabaseKind, type TestStore } from '../test-databases';

export interface SharedTestStore {
  readonly store: Store;
  readonly url: string;
}

/**
 * One migrated store for the calling describe block, made in beforeAll and thrown away in afterAll.
 * Its tests share the database and keep apart by portal (`takePortalId`). Read `store` and `url`
 * inside tests and hooks, not while the block is being defined.
 */
export function useSharedTestStore(kind: TestDatabaseKind): SharedTestStore {
  let testStore: TestStore | undefined;
  beforeAll(async () => {
    testStore = await createTestStore(kind);
  });
  afterAll(async () => {
    await testStore?.cleanup();
  });
  const current = (): TestStore => {
    if (!testStore) throw new Error('The shared test store is made in beforeAll: read it inside a test');
    return testStore;
  };
  return {
    get store() {
      return current().store;
    },
    get url() {
      return current().url;
    },
  };
}
