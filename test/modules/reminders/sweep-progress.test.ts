import { runCli } from '../../../src/app/cli/run-cli';
import { addWalkDeals } from '../../integration/support/stage-walk';
import { seedSamplePortal, startLocalHubSpot, type LocalHubSpot } from '../../../sandbox/local-hubspot';
import { testDatabaseUrl, type TestDatabase } from '../../support/test-databases';
import { captureIo, interruptOnceStderrShows } from '../../support/cli-runs';

const PORTAL_ID = 62515;
const TOKEN = 'cli-token';
/** Deals that stalled long before the sweep's --now: a portal big enough for three pages of candidates. */
const WALK_DEALS = 2500;
const SWEEP_AT = '2027-03-01T15:00:00.000Z';
const CLI_TIMEOUT_MS = 120_000;

describe('sop-guide sweep on a big portal', () => {
  let hubspot: LocalHubSpot;
  /** The same HubSpot answering slowly, as a real one does: a Ctrl-C then lands while a page is swept. */
  let slowHubSpot: LocalHubSpot;
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    hubspot = await startLocalHubSpot({ port: 0, rateLimit: false });
    seedSamplePortal(hubspot.state, { portalId: PORTAL_ID, token: TOKEN });
    addWalkDeals(hubspot.state, PORTAL_ID, WALK_DEALS, new Date('2026-11-01T00:00:00.000Z'));
    slowHubSpot = await startLocalHubSpot({ port: 0, state: hubspot.state, latencyMs: 50, rateLimit: false });
    database = await testDatabaseUrl('sqlite');
    env = { DATABASE_URL: database.url, HUBSPOT_ACCESS_TOKEN: TOKEN, LOG_LEVEL: 'silent' };
    const backfill = captureIo({ ...env, HUBSPOT_API_BASE_URL: hubspot.url });
    expect(await runCli(['backfill'], backfill.io)).toBe(0);
  }, CLI_TIMEOUT_MS);
  afterAll(async () => {
    await slowHubSpot.close();
    await hubspot.close();
    await database.cleanup();
  });

  it(
    'shows deals judged of the total, the rate and the time left on stderr while it works',
    async () => {
      const { io, out, err } = captureIo({ ...env, HUBSPOT_API_BASE_URL: hubspot.url });

      expect(await runCli(['sweep', '--dry-run', '--now', SWEEP_AT], io)).toBe(0);

      // Not a terminal: the first page gets a line; the sweep is done before a second one is due.
      expect(err[0]).toMatch(
        new RegExp(
          `^portal ${PORTAL_ID}: 1000 of 25\\d\\d deals judged \\(\\d+/s, about \\d+ (s|min) left\\)$`,
        ),
      );
      expect(err.every((line) => / of 25\d\d deals judged /.test(line))).toBe(true);
      expect(out[0]).toMatch(/^Dry run as of 2027-03-01T15:00:00.000Z: 1 portal\(s\), 25\d\d candidate deal/);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'on Ctrl-C, stops after the page in hand, carries out its reminders, prints what it did and exits 130',
    async () => {
      const { code, stdout } = await interruptOnceStderrShows(
        ['sweep', '--now', SWEEP_AT],
        { ...env, HUBSPOT_API_BASE_URL: slowHubSpot.url },
        'deals judged',
      );

      expect(code).toBe(130);
      const candidates = Number(/1 portal\(s\), (\d+) candidate deal/.exec(stdout)?.[1]);
      expect(stdout).toMatch(/^Swept as of 2027-03-01T15:00:00.000Z: 1 portal\(s\)/);
      expect(stdout).toContain(
        `Interrupted after ${candidates} candidate deal(s); run sweep again to judge the rest.`,
      );
      // Stopped between pages: some pages judged, not all.
      expect(candidates % 1000).toBe(0);
      expect(candidates).toBeGreaterThanOrEqual(1000);
      expect(candidates).toBeLessThan(WALK_DEALS);
      // What it printed is what HubSpot holds: every reminder it reports created is a task there.
      const created = stdout.match(/created \(task \d+\)/g) ?? [];
      expect(created.length).toBeGreaterThan(0);
      expect(hubspot.state.listTasks(PORTAL_ID)).toHaveLength(created.length);
    },
    CLI_TIMEOUT_MS,
  );
});
