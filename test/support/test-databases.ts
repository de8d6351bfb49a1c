import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createStore } from '../../src/app/store';
import { type Store } from '../../src/platform/db';

export type TestDatabaseKind = 'sqlite' | 'postgres';

/** For `describe.each(DATABASES)('... (%s)', (kind) => ...)`: every store suite runs on both databases. */
export const DATABASES: ReadonlyArray<[TestDatabaseKind]> = [['sqlite'], ['postgres']];

/** The server's maintenance database: test databases are created and dropped through it. */
const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  url: string;
  /** Drops the database (or removes the SQLite folder). Close every store on it first. */
  cleanup(): Promise<void>;
}

export interface TestStore extends TestDatabase {
  store: Store;
}

async function runAdminStatement(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database of `kind` (not migrated), for suites that start the whole service on it:
 * a SQLite file in its own temp folder, or a new PostgreSQL database on the local server.
 */
export async function testDatabaseUrl(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const folder = mkdtempSync(path.join(tmpdir(), 'sop-test-'));
    return {
      url: `sqlite:${path.join(folder, 'store.db')}`,
      cleanup: async () => rmSync(folder, { recursive: true, force: true }),
    };
  }
  // The name is generated here from hex only, so it is safe to splice into DDL.
  const name = `sop_test_${randomBytes(6).toString('hex')}`;
  await runAdminStatement(`CREATE DATABASE ${name}`);
  const adminUrl = new URL(POSTGRES_ADMIN_URL);
  adminUrl.pathname = `/${name}`;
  return {
    url: adminUrl.toString(),
    cleanup: () => runAdminStatement(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
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
