import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createStore } from '../../src/app/store';
import { type Store } from '../../src/platform/db';
import { createScratchDatabase } from '../../sandbox/postgres';

export type TestDatabaseKind = 'sqlite' | 'postgres';

/** For `describe.each(DATABASES)('... (%s)', (kind) => ...)`: every store suite runs on both databases. */
export const DATABASES: ReadonlyArray<[TestDatabaseKind]> = [['sqlite'], ['postgres']];

/**
 * The server test databases are created and dropped through: jest's global setup (or the bench runner)
 * picks it once per run (sandbox/postgres) and hands it down in TEST_POSTGRES_URL.
 */
function postgresAdminUrl(): string {
  const url = process.env.TEST_POSTGRES_URL;
  if (!url)
    throw new Error('TEST_POSTGRES_URL is unset: run through jest, whose global setup picks the server');
  return url;
}

export interface TestDatabase {
  url: string;
  /** Drops the database (or removes the SQLite folder). Close every store on it first. */
  cleanup(): Promise<void>;
}

export interface TestStore extends TestDatabase {
  store: Store;
}

/**
 * A fresh, empty database of `kind` (not migrated), for suites that start the whole service on it:
 * a SQLite file in its own temp folder, or a new PostgreSQL database on the run's server.
 */
export async function testDatabaseUrl(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const folder = mkdtempSync(path.join(tmpdir(), 'sop-test-'));
    return {
      url: `sqlite:${path.join(folder, 'store.db')}`,
      cleanup: async () => rmSync(folder, { recursive: true, force: true }),
    };
  }
  const database = await createScratchDatabase(postgresAdminUrl(), 'sop_test');
  return { url: database.url, cleanup: database.drop };
}

/** A migrated store on a fresh database; `cleanup` closes it and throws the database away. */
export async function createTestStore(kind: TestDatabaseKind): Promise<TestStore> {
  const database = await testDatabaseUrl(kind);
  const store = await createStore(database.url);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    await database.cleanup();
    throw error;
  }
  return {
    store,
    url: database.url,
    cleanup: async () => {
      await store.close();
      await database.cleanup();
    },
  };
}
