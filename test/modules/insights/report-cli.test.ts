import { runCli } from '../../../src/app/cli/run-cli';
import { seedSamplePortal, startLocalHubSpot, type LocalHubSpot } from '../../../sandbox/local-hubspot';
import { parseCsv } from '../../support/deal-card-api.helpers';
import { testDatabaseUrl, type TestDatabase } from '../../support/test-databases';

function captureIo(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env }, out, err };
}

describe('sop-guide report', () => {
  let hubspot: LocalHubSpot;
  let database: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    hubspot = await startLocalHubSpot({ port: 0 });
    // The CLI runs on the system clock: the sample's deals are dated from it.
    seedSamplePortal(hubspot.state, { portalId: 62515, token: 'cli-token', now: new Date() });
    database = await testDatabaseUrl('sqlite');
    env = {
      DATABASE_URL: database.url,
      HUBSPOT_ACCESS_TOKEN: 'cli-token',
      HUBSPOT_API_BASE_URL: hubspot.url,
    };
  });
  afterAll(async () => {
    await hubspot.close();
    await database.cleanup();
  });

  it('after a backfill, reports the outcomes of deals that closed before the install, as CSV', async () => {
    expect(await runCli(['backfill'], captureIo(env).io)).toBe(0);
    const { io, out } = captureIo(env);
    expect(await runCli(['report', 'outcomes', '--format', 'csv'], io)).toBe(0);
    const rows = parseCsv(out.join('\n'));
    expect(rows[0]).toEqual([
      'group',
      'key',
      'closed',
      'won',
      'winRate',
      'medianCycleDays',
      'medianDaysInStep',
      'p90DaysInStep',
    ]);
    // The sample's one closed deal (won 40 days ago): a group of one is too few for a rate.
    expect(rows[1]).toEqual(['overall', '', '1', '1', 'too few', 'too few', '', '']);
  });

  it('prints the demand by month as a table, and the compliance by stage and owner', async () => {
    const demand = captureIo(env);
    expect(await runCli(['report', 'demand', '--months', '24'], demand.io)).toBe(0);
    expect(demand.out[0]).toMatch(/^month\s+openDeals\s+amount\s+weightedAmount\s+atRiskAmount\s+wonAmount/);
    expect(demand.out).toHaveLength(26);
    // Every open deal with a close date closes within 45 days: 12000 + 8500 + 23000 + 98000 over the months.
    const amounts = demand.out.slice(1, 25).map((line) => Number(line.trim().split(/\s+/)[2]));
    expect(amounts.reduce((a, b) => a + b, 0)).toBe(141500);
    expect(demand.out[25]).toMatch(/^no close date\s+1\s+0\.00$/);

    const compliance = captureIo(env);
    expect(await runCli(['report', 'compliance', '--format', 'csv'], compliance.io)).toBe(0);
    const rows = parseCsv(compliance.out.join('\n'));
    expect(rows.filter((row) => row[0] === 'stage').map((row) => [row[1], row[4]])).toEqual([
      ['appointmentscheduled', '1'],
      ['qualifiedtobuy', '2'],
      ['presentationscheduled', '1'],
      ['decisionmakerboughtin', '0'],
      ['contractsent', '1'],
    ]);
    expect(rows.filter((row) => row[0] === 'owner').map((row) => [row[2], row[4]])).toEqual([
      ['Riley Rep', '3'],
      ['Sam Seller', '2'],
    ]);
  });

  it('exits 1 naming what is wrong', async () => {
    const unknown = captureIo(env);
    expect(await runCli(['report', 'forecast'], unknown.io)).toBe(1);
    expect(unknown.err.join('\n')).toContain('expected one of demand, compliance, outcomes');
    const badFormat = captureIo(env);
    expect(await runCli(['report', 'demand', '--format', 'xml'], badFormat.io)).toBe(1);
    expect(badFormat.err.join('\n')).toContain('--format');
  });
});
