import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { runCli } from '../../../src/app/cli/run-cli';
import {
  SAMPLE_PORTAL_ID,
  SAMPLE_TOKEN,
  stageChangeEvent,
  startTestService,
  type TestService,
} from '../../support/service-harness';
import { DATABASES, type TestDatabaseKind } from '../../support/test-databases';
import { withQualificationTitle } from './playbook-builders';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const FIRST_TITLE = 'Qualification and needs assessment';

/**
 * Makes every write of a deal's pinned version fail, as a crash between a publish's two statements
 * would: a trigger in the real database, installed over a connection of the test's own.
 */
async function failRepins(kind: TestDatabaseKind, databaseUrl: string): Promise<void> {
  if (kind === 'sqlite') {
    const database = new SqliteDatabase(databaseUrl.slice('sqlite:'.length));
    try {
      database.exec(`CREATE TRIGGER fail_repin BEFORE UPDATE OF playbook_version ON deals
        BEGIN SELECT RAISE(ABORT, 'injected failure: re-pin'); END`);
    } finally {
      database.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE FUNCTION fail_repin() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected failure: re-pin'; END $$`);
    await client.query(`CREATE TRIGGER fail_repin BEFORE UPDATE OF playbook_version ON deals
      FOR EACH ROW EXECUTE FUNCTION fail_repin()`);
  } finally {
    await client.end();
  }
}

/**
 * A deal is judged by the playbook version in force when it entered its current stage, so a publish
 * never changes the rules under a rep's feet mid-stage, unless the manager says "apply to deals in
 * progress".
 */
describe.each(DATABASES)('playbook version pinning (%s)', (database) => {
  let t: TestService;
  let managerId: string;

  beforeEach(async () => {
    t = await startTestService({ database });
    managerId = t.sample.owners.manager.userId;
  });
  afterEach(async () => {
    await t.stop();
  });

  async function stepOf(dealId: string) {
    const response = await t.cardRequest('GET', `/api/v1/deals/${dealId}/guidance`);
    expect(response.status).toBe(200);
    return response.body.step as { title: string; playbookVersion: number };
  }

  async function publish(title: string, options: { applyToDealsInProgress?: boolean } = {}) {
    const response = await t.cardRequest('PUT', '/api/v1/playbook', {
      userId: managerId,
      body: { ...withQualificationTitle(title), ...options },
    });
    expect(response.status).toBe(200);
    return response.body;
  }

  it('a deal mid-stage keeps its version after a publish; a deal entering a stage gets the new one', async () => {
    const { stalledQualified, readyQualified } = t.sample.deals;
    expect(await stepOf(stalledQualified)).toMatchObject({ playbookVersion: 1 });
    expect(await stepOf(readyQualified)).toMatchObject({ playbookVersion: 1 });

    const published = await publish('Qualification, version 2');
    expect(published.dealsRepinned).toBe(0);

    const kept = await stepOf(stalledQualified);
    expect(kept.playbookVersion).toBe(1);
    expect(kept.title).toBe('Qualification and needs assessment');

    // readyQualified goes back to appointment, then re-enters qualification under version 2.
    t.clock.advanceMs(20 * MINUTE_MS);
    const movedAt = new Date(t.clock.now().getTime() - 10 * MINUTE_MS);
    t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, readyQualified, 'appointmentscheduled', movedAt);
    const reenteredAt = new Date(movedAt.getTime() + MINUTE_MS);
    t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, readyQualified, 'qualifiedtobuy', reenteredAt);
    expect(
      (await t.sendWebhook([stageChangeEvent(readyQualified, 'qualifiedtobuy', reenteredAt)])).status,
    ).toBe(200);
    await t.drainInbox();

    expect(await stepOf(readyQualified)).toEqual(
      expect.objectContaining({ playbookVersion: 2, title: 'Qualification, version 2' }),
    );
    expect((await stepOf(stalledQualified)).playbookVersion).toBe(1);
  });

  it('"apply to deals in progress" re-pins every live deal to the new version', async () => {
    const dealIds = Object.values(t.sample.deals);
    for (const dealId of dealIds) await stepOf(dealId);

    const published = await publish('Qualification, for everyone', { applyToDealsInProgress: true });

    expect(published.version).toBe(2);
    expect(published.dealsRepinned).toBe(dealIds.length);
    expect(await stepOf(t.sample.deals.stalledQualified)).toEqual(
      expect.objectContaining({ playbookVersion: 2, title: 'Qualification, for everyone' }),
    );
    const pinned = await t.running.services.store.deals.getDeals(SAMPLE_PORTAL_ID, dealIds);
    expect(new Set(pinned.map((deal) => deal.playbookVersion))).toEqual(new Set([2]));
  });

  it('a rollback published with "apply to deals in progress" puts deals back on the old rules', async () => {
    await stepOf(t.sample.deals.stalledQualified);
    await publish('Qualification, version 2', { applyToDealsInProgress: true });

    const restored = await t.cardRequest('POST', '/api/v1/playbook/versions/1/restore', {
      userId: managerId,
      body: { applyToDealsInProgress: true, note: 'Back to the default' },
    });

    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ version: 3, note: 'Back to the default', dealsRepinned: 1 });
    expect(await stepOf(t.sample.deals.stalledQualified)).toEqual(
      expect.objectContaining({ playbookVersion: 3, title: 'Qualification and needs assessment' }),
    );
  });

  /** The deal moves in HubSpot at `at` (HubSpot's clock); the event is what its webhook would carry. */
  function moveInHubSpot(dealId: string, stageId: string, at: Date) {
    t.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, stageId, at);
    return stageChangeEvent(dealId, stageId, at);
  }

  async function deliver(events: unknown[]) {
    expect((await t.sendWebhook(events)).status).toBe(200);
    expect(await t.drainInbox()).toBe(events.length);
  }

  async function pinnedVersionOf(dealId: string) {
    return (await t.running.services.store.deals.getDeal(SAMPLE_PORTAL_ID, dealId))?.playbookVersion;
  }

  it('a stage-change webhook that arrives after a publish pins the version in force when the deal moved', async () => {
    const dealId = t.sample.deals.freshAppointment;
    await stepOf(dealId);
    t.clock.advanceMs(10 * MINUTE_MS);
    // The timeline: the move 158 ms before the publish, its webhook after it.
    const event = moveInHubSpot(dealId, 'qualifiedtobuy', new Date(t.clock.now().getTime() - 158));
    await publish('Qualification, version 2');
    t.clock.advanceMs(2_000);

    await deliver([event]);

    expect(await stepOf(dealId)).toEqual(expect.objectContaining({ playbookVersion: 1, title: FIRST_TITLE }));
  });

  it('a move learned of only after an "apply to deals in progress" publish follows that version', async () => {
    const dealId = t.sample.deals.freshAppointment;
    await stepOf(dealId);
    t.clock.advanceMs(10 * MINUTE_MS);
    // In qualification when the manager re-pinned deals in progress, though the service did not know yet.
    const event = moveInHubSpot(dealId, 'qualifiedtobuy', new Date(t.clock.now().getTime() - 158));
    expect((await publish('Qualification, for everyone', { applyToDealsInProgress: true })).version).toBe(2);
    t.clock.advanceMs(2_000);

    await deliver([event]);

    expect(await stepOf(dealId)).toEqual(
      expect.objectContaining({ playbookVersion: 2, title: 'Qualification, for everyone' }),
    );
  });

  it('a webhook retried a day late, after two publishes, pins the version in force at the move', async () => {
    const dealId = t.sample.deals.freshAppointment;
    await stepOf(dealId);
    t.clock.advanceMs(MINUTE_MS);
    await publish('Qualification, version 2');
    t.clock.advanceMs(MINUTE_MS);
    const event = moveInHubSpot(dealId, 'qualifiedtobuy', t.clock.now());
    t.clock.advanceMs(MINUTE_MS);
    await publish('Qualification, version 3');
    t.clock.advanceMs(DAY_MS);

    await deliver([{ ...event, attemptNumber: 9 }]);

    expect(await stepOf(dealId)).toEqual(
      expect.objectContaining({ playbookVersion: 2, title: 'Qualification, version 2' }),
    );
  });

  it('a deal first read on demand after a publish follows the version in force when it entered its stage', async () => {
    t.clock.advanceMs(MINUTE_MS);
    const enteredAt = t.clock.now();
    const fresh = t.hubspot.state.upsertDeal(
      SAMPLE_PORTAL_ID,
      {
        properties: { dealname: 'Never seen', pipeline: 'default', dealstage: 'qualifiedtobuy' },
        createdAt: enteredAt,
      },
      enteredAt,
    );
    t.clock.advanceMs(MINUTE_MS);
    await publish('Qualification, version 2');
    t.clock.advanceMs(MINUTE_MS);

    expect(await stepOf(fresh.id)).toEqual(
      expect.objectContaining({ playbookVersion: 1, title: FIRST_TITLE }),
    );
  });

  it('backfill after two publishes pins each deal to the version in force at its own stage entry', async () => {
    const start = t.clock.now();
    const dealEnteringAt = (name: string, at: Date) =>
      t.hubspot.state.upsertDeal(
        SAMPLE_PORTAL_ID,
        { properties: { dealname: name, pipeline: 'default', dealstage: 'qualifiedtobuy' }, createdAt: at },
        at,
      ).id;
    const beforeAny = dealEnteringAt('Entered before version 1', new Date(start.getTime() - DAY_MS));
    t.clock.set(new Date(start.getTime() + 60 * MINUTE_MS));
    await publish('Qualification, version 2');
    const underTwo = dealEnteringAt('Entered under version 2', new Date(start.getTime() + 90 * MINUTE_MS));
    t.clock.set(new Date(start.getTime() + 120 * MINUTE_MS));
    await publish('Qualification, version 3');
    const underThree = dealEnteringAt('Entered under version 3', new Date(start.getTime() + 150 * MINUTE_MS));
    t.clock.set(new Date(start.getTime() + 3 * DAY_MS));

    const out: string[] = [];
    const err: string[] = [];
    const io = {
      out: (text: string) => out.push(text),
      err: (text: string) => err.push(text),
      env: {
        DATABASE_URL: t.databaseUrl,
        HUBSPOT_ACCESS_TOKEN: SAMPLE_TOKEN,
        HUBSPOT_API_BASE_URL: t.hubspot.url,
      },
    };
    expect(await runCli(['backfill'], io)).toBe(0);
    // stderr carries only the progress lines backfill prints.
    expect(err.filter((line) => !/ deals projected \(/.test(line))).toEqual([]);

    expect(await pinnedVersionOf(beforeAny)).toBe(1);
    expect(await pinnedVersionOf(underTwo)).toBe(2);
    expect(await pinnedVersionOf(underThree)).toBe(3);
    // The sample deals entered their stages days before the portal's first version.
    for (const dealId of Object.values(t.sample.deals)) expect(await pinnedVersionOf(dealId)).toBe(1);
    expect(await stepOf(underTwo)).toEqual(
      expect.objectContaining({ playbookVersion: 2, title: 'Qualification, version 2' }),
    );
  });

  it('a publish whose re-pin fails stores neither the new version nor any re-pin', async () => {
    const dealId = t.sample.deals.stalledQualified;
    await stepOf(dealId);
    await failRepins(database, t.databaseUrl);

    const failed = await t.cardRequest('PUT', '/api/v1/playbook', {
      userId: managerId,
      body: { ...withQualificationTitle('Never published'), applyToDealsInProgress: true },
    });

    expect(failed.status).toBe(500);
    const current = await t.cardRequest('GET', '/api/v1/playbook');
    expect(current.body.version).toBe(1);
    expect(await t.running.services.store.playbooks.listPublishTimes(SAMPLE_PORTAL_ID)).toHaveLength(1);
    expect(await pinnedVersionOf(dealId)).toBe(1);
    expect(await stepOf(dealId)).toEqual(expect.objectContaining({ playbookVersion: 1, title: FIRST_TITLE }));
    // Without "apply to deals in progress" nothing is re-pinned, and the next number is still 2.
    expect((await publish('Qualification, version 2')).version).toBe(2);
  });
});
