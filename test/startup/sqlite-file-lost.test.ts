import { readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { seedSamplePortal, startLocalHubSpot, type LocalHubSpot } from '../../sandbox/local-hubspot';
import { SAMPLE_PORTAL_ID, SAMPLE_TOKEN, stageChangeEvent } from '../support/service-harness';
import { testDatabaseUrl, type TestDatabase } from '../support/test-databases';
import { killIfRunning, npmStart, signedBatch, type NpmStarted } from './support/npm-start';

const START_TIMEOUT_MS = 120_000;

async function readyz(port: number): Promise<{ status: number; error: string | undefined }> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  const body = (await response.json()) as { database: { error?: string } };
  return { status: response.status, error: body.database.error };
}

async function postBatch(port: number, dealId: string): Promise<number> {
  const { body, headers } = signedBatch([stageChangeEvent(dealId, 'qualifiedtobuy', new Date())]);
  const response = await fetch(`http://127.0.0.1:${port}/webhooks/hubspot`, {
    method: 'POST',
    headers,
    body,
  });
  return response.status;
}

async function stopGracefully(started: NpmStarted) {
  started.npm.kill('SIGTERM');
  return started.exited;
}

/** Rows a SQLite file holds of the acknowledged webhooks: journaled, or already moved into the inbox. */
function countWebhookRows(file: string): number {
  const database = new SqliteDatabase(file, { readonly: true });
  try {
    const count = (table: string) =>
      (database.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    return count('webhook_journal') + count('webhook_inbox');
  } finally {
    database.close();
  }
}

describe('the SQLite file deleted or replaced under a running service', () => {
  let hubspot: LocalHubSpot;
  let database: TestDatabase;
  let file: string;
  let started: NpmStarted | null = null;
  beforeAll(async () => {
    hubspot = await startLocalHubSpot({ port: 0, rateLimit: false });
    seedSamplePortal(hubspot.state, { portalId: SAMPLE_PORTAL_ID, token: SAMPLE_TOKEN });
  });
  afterAll(async () => {
    await hubspot.close();
  });
  beforeEach(async () => {
    database = await testDatabaseUrl('sqlite');
    file = database.url.slice('sqlite:'.length);
  });
  afterEach(async () => {
    await killIfRunning(started);
    started = null;
    await database.cleanup();
  });

  it(
    'deleted: not ready naming the path, webhooks 503 instead of 200, what it held saved; a restart starts a new file',
    async () => {
      started = await npmStart(database.url, hubspot.url);
      expect(await postBatch(started.port, '1001')).toBe(200);
      expect((await readyz(started.port)).status).toBe(200);

      rmSync(file);

      // Before, /readyz said ready and every webhook got a 200 into the unlinked file, lost at restart.
      const notReady = await readyz(started.port);
      expect(notReady.status).toBe(503);
      expect(notReady.error).toContain(
        `the SQLite database ${file} was deleted while the service had it open`,
      );
      expect(notReady.error).toContain('restart the service');
      expect(await postBatch(started.port, '1002')).toBe(503);
      expect((await fetch(`http://127.0.0.1:${started.port}/healthz`)).status).toBe(200);

      // What the deleted file held is saved next to its path, the acknowledged webhook with it.
      let saved = await readyz(started.port);
      while (!saved.error?.includes('was saved to')) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        saved = await readyz(started.port);
      }
      const rescued = readdirSync(path.dirname(file)).filter((name) =>
        name.startsWith(`${path.basename(file)}.rescued-`),
      );
      expect(rescued).toHaveLength(1);
      expect(saved.error).toContain(path.join(path.dirname(file), rescued[0]!));
      expect(countWebhookRows(path.join(path.dirname(file), rescued[0]!))).toBeGreaterThan(0);
      // Still not ready: nothing is served from a file that is gone until the operator restarts.
      expect((await readyz(started.port)).status).toBe(503);

      expect(await stopGracefully(started)).toEqual({ code: 0, signal: null });
      started = await npmStart(database.url, hubspot.url);
      expect((await readyz(started.port)).status).toBe(200);
      // HubSpot's retry of the refused batch lands in the new file.
      expect(await postBatch(started.port, '1002')).toBe(200);
      expect(await stopGracefully(started)).toEqual({ code: 0, signal: null });
      expect(countWebhookRows(file)).toBe(1);
    },
    START_TIMEOUT_MS,
  );

  it(
    'replaced by another file: not ready saying so, and webhooks 503, until a restart opens the new file',
    async () => {
      started = await npmStart(database.url, hubspot.url);
      expect(await postBatch(started.port, '1001')).toBe(200);
      // An operator restoring a backup by moving it into place (a new inode at the same path).
      const backup = `${file}.backup`;
      new SqliteDatabase(backup).close();
      renameSync(backup, file);

      const notReady = await readyz(started.port);
      expect(notReady.status).toBe(503);
      expect(notReady.error).toContain(`the SQLite database ${file} was replaced by another file`);
      expect(await postBatch(started.port, '1002')).toBe(503);

      expect(await stopGracefully(started)).toEqual({ code: 0, signal: null });
      started = await npmStart(database.url, hubspot.url);
      // The file moved into place is migrated at start and served.
      expect((await readyz(started.port)).status).toBe(200);
      expect(await postBatch(started.port, '1002')).toBe(200);
    },
    START_TIMEOUT_MS,
  );
});
