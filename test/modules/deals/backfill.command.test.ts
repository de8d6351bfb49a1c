import { runCli } from '../../../src/app/cli/run-cli';
import { addWalkDeals } from '../../integration/support/stage-walk';
import { createStore } from '../../../src/app/store';
import { seedSamplePortal, startLocalHubSpot, type LocalHubSpot } from '../../../sandbox/local-hubspot';
import { testDatabaseUrl, type TestDatabase } from '../../support/test-databases';
import { countLiveDeals } from '../../support/store/store-reads';
import { captureIo, interruptOnceStderrShows } from '../../support/cli-runs';

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

describe('sop-guide backfill on a bigger portal', () => {
  let hubspot: LocalHubSpot;
  let database: TestDatabase;
  beforeAll(async () => {
    // Slow enough answers that a Ctrl-C lands mid-way, as it would on a real portal of thousands of deals.
    hubspot = await startLocalHubSpot({ port: 0, latencyMs: 100, rateLimit: false });
    seedSamplePortal(hubspot.state, { portalId: 62515, token: 'cli-token' });
    addWalkDeals(hubspot.state, 62515, 600, new Date('2026-11-01T00:00:00.000Z'));
  });
  beforeEach(async () => {
    database = await testDatabaseUrl('sqlite');
  });
  afterEach(async () => {
    await database.cleanup();
  });
  afterAll(async () => {
    await hubspot.close();
  });

  it('shows its progress on stderr while it works, and what it did at the end', async () => {
    const { io, out, err } = captureIo({
      DATABASE_URL: database.url,
      HUBSPOT_ACCESS_TOKEN: 'cli-token',
      HUBSPOT_API_BASE_URL: hubspot.url,
    });
    expect(await runCli(['backfill'], io)).toBe(0);
    // HubSpot's search gives the total (the deals list does not): the line says how much is left.
    expect(err[0]).toMatch(/^portal 62515: \d+ of 606 deals projected \(\d+\/s, about \d+ (s|min) left\)$/);
    expect(out).toEqual(['portal 62515: 606 deals projected']);
  });

  it('on Ctrl-C, stops after the page in hand, says how far it got and exits 130', async () => {
    const { code, stdout } = await interruptOnceStderrShows(
      ['backfill'],
      {
        DATABASE_URL: database.url,
        HUBSPOT_ACCESS_TOKEN: 'cli-token',
        HUBSPOT_API_BASE_URL: hubspot.url,
        LOG_LEVEL: 'silent',
      },
      'deals projected (',
    );
    expect(code).toBe(130);
    expect(stdout).toMatch(
      /^portal 62515: interrupted after \d+ deals projected; run backfill again to finish\n$/,
    );
  });
});
