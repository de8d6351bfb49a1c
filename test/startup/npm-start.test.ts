import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { seedSamplePortal, startLocalHubSpot, type LocalHubSpot } from '../../sandbox/local-hubspot';
import { testDatabaseUrl, type TestDatabase } from '../support/test-databases';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

/** `npm start` as an operator runs it: a child process, configured only through the environment. */
describe('starting the service', () => {
  let hubspot: LocalHubSpot;
  let database: TestDatabase;
  beforeAll(async () => {
    hubspot = await startLocalHubSpot({ port: 0 });
    seedSamplePortal(hubspot.state, { portalId: 62515, token: 'start-token' });
    database = await testDatabaseUrl('sqlite');
  });
  afterAll(async () => {
    await hubspot.close();
    await database.cleanup();
  });

  it('answers /healthz and reports the database on /readyz', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn(TSX, ['src/entrypoints/server.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        DATABASE_URL: database.url,
        HUBSPOT_CLIENT_SECRET: 'start-secret',
        HUBSPOT_ACCESS_TOKEN: 'start-token',
        HUBSPOT_API_BASE_URL: hubspot.url,
        PUBLIC_BASE_URL: 'https://sop.example.com',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    try {
      const deadline = Date.now() + 20_000;
      let health: Response | null = null;
      while (Date.now() < deadline && !health) {
        health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
        if (!health) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(health?.status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', database: { ok: true, dialect: 'sqlite' } });
      // The token is configuration, never output.
      expect(output).not.toContain('start-token');
      expect(output).not.toContain('start-secret');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  it('refuses to start without its required environment, naming each variable', () => {
    const result = spawnSync(TSX, ['src/entrypoints/server.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, PORT: 'not-a-port' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT:');
    expect(result.stderr).toContain('HUBSPOT_CLIENT_SECRET: required');
    expect(result.stderr).toContain('PUBLIC_BASE_URL: required');
  });
});
