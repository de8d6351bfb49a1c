import { runCli } from '../../../src/app/cli/run-cli';
import { createStore } from '../../../src/app/store';
import { seedSamplePortal, startLocalHubSpot, type LocalHubSpot } from '../../../sandbox/local-hubspot';
import { testDatabaseUrl, type TestDatabase } from '../../support/test-databases';
import { countLiveDeals } from '../../support/store/store-reads';

function captureIo(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env }, out, err };
}

describe('sop-guide backfill', () => {
  let hubspot: LocalHubSpot;
  let database: TestDatabase;
  beforeAll(async () => {
    hubspot = await startLocalHubSpot({ port: 0 });
    seedSamplePortal(hubspot.state, { portalId: 62515, token: 'cli-token' });
    database = await testDatabaseUrl('sqlite');
  });
  afterAll(async () => {
    await hubspot.close();
    await database.cleanup();
  });

  it('projects every deal of the installed portal that predates the install', async () => {
    const { io, out } = captureIo({
      DATABASE_URL: database.url,
      HUBSPOT_ACCESS_TOKEN: 'cli-token',
      HUBSPOT_API_BASE_URL: hubspot.url,
    });
    expect(await runCli(['backfill'], io)).toBe(0);
    expect(out).toEqual(['portal 62515: 6 deals projected']);
    const store = await createStore(database.url);
    try {
      expect(await countLiveDeals(store, 62515)).toBe(6);
    } finally {
      await store.close();
    }
  });

  it('exits 1 with a clear message for an unknown command or option', async () => {
    const unknown = captureIo({});
    expect(await runCli(['frobnicate'], unknown.io)).toBe(1);
    expect(unknown.err.join('\n')).toContain('Unknown command "frobnicate"');
    const badFlag = captureIo({});
    expect(await runCli(['backfill', '--force'], badFlag.io)).toBe(1);
    expect(badFlag.err.join('\n')).toContain('Unknown option --force');
  });
});
