import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import SqliteDatabase from 'better-sqlite3';
import { startTestService, type TestService } from '../../support/service-harness';
import { DATABASES } from '../../support/test-databases';

const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function readyz(t: TestService): Promise<{ status: number; body: any }> {
  const response = await fetch(`${t.url}/readyz`);
  return { status: response.status, body: await response.json() };
}

describe.each(DATABASES)('/readyz (%s)', (database) => {
  let t: TestService;
  beforeEach(async () => {
    t = await startTestService({ database });
  });
  afterEach(async () => {
    await t.stop();
  });

  it('is ready on a migrated, writable database', async () => {
    expect(await readyz(t)).toEqual({
      status: 200,
      body: { status: 'ready', database: { ok: true, dialect: database } },
    });
  });

  it('answers 503 naming the versions when the schema is behind the one the service runs on', async () => {
    // As after a restore from an older backup: the last migration is not there.
    await runStatement(
      t.databaseUrl,
      'delete from kysely_migration where name = (select max(name) from kysely_migration)',
    );
    const { status, body } = await readyz(t);
    expect(status).toBe(503);
    const [, at, needs] =
      /schema is at (\d{4}-[\w-]+), this service needs (\d{4}-[\w-]+)/.exec(body.database.error ?? '') ?? [];
    expect(at).toBeDefined();
    expect(needs! > at!).toBe(true);
    // Liveness is another question: the process is fine.
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});

/** One statement through a connection of its own, as an operator's tool would run it. */
async function runStatement(url: string, statement: string): Promise<void> {
  if (url.startsWith('sqlite:')) {
    const database = new SqliteDatabase(url.slice('sqlite:'.length));
    try {
      database.pragma('busy_timeout = 5000');
      database.exec(statement);
    } finally {
      database.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

describe('/readyz after the PostgreSQL database is recreated empty under the running service', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService({ database: 'postgres' });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers 503 saying so, where it used to answer ready', async () => {
    expect((await readyz(t)).status).toBe(200);
    const name = new URL(t.databaseUrl).pathname.slice(1);
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    // The pool's first query may meet a connection the drop cut; the next one reaches the new database.
    await readyz(t);
    const { status, body } = await readyz(t);
    expect(status).toBe(503);
    expect(body).toMatchObject({
      status: 'unavailable',
      database: {
        ok: false,
        error: expect.stringContaining('the database has no schema (recreated empty?)'),
      },
    });
  });
});

/** A small tmpfs to fill: mounting needs root (CI and the development containers run as root). */
function mountSmallDisk(folder: string): boolean {
  mkdirSync(folder, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', folder]);
  return mounted.status === 0;
}

const disk = path.join(tmpdir(), `sop-full-disk-${process.pid}`);
const canMount = process.platform === 'linux' && process.getuid?.() === 0;

(canMount ? describe : describe.skip)('/readyz on SQLite when the disk is full', () => {
  let t: TestService | null = null;
  afterAll(async () => {
    await t?.stop();
    spawnSync('umount', [disk]);
    rmSync(disk, { recursive: true, force: true });
  });

  it('answers 503 naming the folder, where it used to answer ready', async () => {
    expect(mountSmallDisk(disk)).toBe(true);
    t = await startTestService({
      database: 'sqlite',
      env: { DATABASE_URL: `sqlite:${path.join(disk, 'store.db')}` },
    });
    expect((await readyz(t)).status).toBe(200);
    // Fill what is left, as a log file growing without bound would.
    const filler = path.join(disk, 'filler');
    spawnSync('sh', ['-c', `cat /dev/zero > ${filler} 2>/dev/null; true`]);
    const { status, body } = await readyz(t);
    expect(status).toBe(503);
    expect(body.database.error).toContain(`the disk holding ${disk} is full`);
  });
});
