import { runCli } from '../../../src/app/cli/run-cli';
import { stageChangeEvent } from '../../support/service-harness';
import { countLiveDeals } from '../../support/store/store-reads';
import { DATABASES } from '../../support/test-databases';
import {
  OAUTH_CLIENT_ID,
  PORTAL_IDS,
  startOAuthHarness,
  waitFor,
  type OAuthHarness,
  type OAuthInstance,
} from '../portals/oauth-harness';

/**
 * Installs and uninstalls happen on whichever instance HubSpot or the browser reached; every other
 * instance on the database must act on them at once. The harness runs no periodic work, so the
 * registry's backstop reload never helps here: only the database re-read and the notifications do.
 */
const [PORTAL_A, PORTAL_B] = PORTAL_IDS;

const readDeal = (instance: OAuthInstance, harness: OAuthHarness, portalId: number) =>
  instance.running.services.hubspot.deals.batchRead(
    portalId,
    [harness.samples.get(portalId)!.deals.readyQualified],
    ['dealname'],
  );

describe.each(DATABASES)('installations seen by every instance (%s)', (kind) => {
  let harness: OAuthHarness;
  beforeEach(async () => {
    harness = await startOAuthHarness(kind);
  });
  afterEach(async () => {
    await harness.stop();
  });

  it('a portal missing from the snapshot is read from the database before any of its events is dropped', async () => {
    const instance = harness.instances[0]!;
    const { portals, store } = instance.running.services;
    // Stored the way another instance's callback stores it; on SQLite no notification tells this one.
    const now = harness.clock.now();
    await store.installations.saveInstallation({
      portalId: PORTAL_A,
      scopes: ['crm.objects.deals.read'],
      installedBy: { userId: null, email: null },
      timeZone: 'America/New_York',
      hubDomain: null,
      sealedRefreshToken: 'sealed-elsewhere',
      sealedAccessToken: 'sealed-elsewhere',
      accessTokenExpiresAt: new Date(now.getTime() + 60_000),
      issuedAt: now,
      now,
    });
    if (kind === 'sqlite') expect(portals.isInstalled(PORTAL_A)).toBe(false);
    const deal = harness.samples.get(PORTAL_A)!.deals.freshAppointment;
    const webhook = await harness.sendWebhook(instance, [
      stageChangeEvent(deal, 'qualifiedtobuy', now, PORTAL_A),
      stageChangeEvent(deal, 'qualifiedtobuy', now, PORTAL_B),
    ]);
    expect(webhook.status).toBe(200);
    expect(portals.isInstalled(PORTAL_A)).toBe(true);
    // Journaled for the installed portal, not for the one that never installed.
    expect(await store.journal.counts()).toMatchObject({ pendingBatches: 1, pendingEvents: 1 });
    expect(await portals.confirmInstalled(PORTAL_B)).toBe(false);
  });
});

describe('installations seen by every instance (two instances on one PostgreSQL)', () => {
  let harness: OAuthHarness;
  let first: OAuthInstance;
  let second: OAuthInstance;
  beforeEach(async () => {
    harness = await startOAuthHarness('postgres');
    first = harness.instances[0]!;
    second = await harness.startInstance();
  });
  afterEach(async () => {
    await harness.stop();
  });

  it('an event sent to instance B right after an install through instance A is applied, and B serves its card', async () => {
    expect((await harness.install(PORTAL_A, first)).status).toBe(200);
    const sample = harness.samples.get(PORTAL_A)!;
    const deal = sample.deals.freshAppointment;
    harness.hubspot.state.moveDealToStage(PORTAL_A, deal, 'qualifiedtobuy', harness.clock.now());
    const webhook = await harness.sendWebhook(second, [
      stageChangeEvent(deal, 'qualifiedtobuy', harness.clock.now(), PORTAL_A),
    ]);
    expect(webhook.status).toBe(200);
    await second.running.workers.drainInbox();
    expect((await second.running.services.store.deals.getDeal(PORTAL_A, deal))?.stageId).toBe(
      'qualifiedtobuy',
    );
    const card = await harness.cardRequest(
      second,
      `/api/v1/deals/${sample.deals.readyQualified}/guidance`,
      PORTAL_A,
      sample.owners.rep.userId,
    );
    expect(card.status).toBe(200);
  });

  it('an uninstall or a purge on one instance stops the other calling HubSpot for that portal within a notification', async () => {
    for (const portalId of [PORTAL_A, PORTAL_B]) {
      expect((await harness.install(portalId, first)).status).toBe(200);
      await waitFor(async () => (await countLiveDeals(first.running.services.store, portalId)) === 6);
    }
    // B holds a working access token of A's in memory.
    await expect(readDeal(second, harness, PORTAL_A)).resolves.toMatchObject({ deals: [expect.anything()] });

    // HubSpot revokes A; instance A learns it first and marks the portal uninstalled.
    harness.hubspot.state.oauth.uninstall(OAUTH_CLIENT_ID, PORTAL_A);
    await expect(readDeal(first, harness, PORTAL_A)).rejects.toMatchObject({
      category: 'PORTAL_NOT_CONNECTED',
    });
    // Far sooner than the 5 s backstop reload, which does not even run here.
    await waitFor(async () => !second.running.services.portals.isInstalled(PORTAL_A), 1_000);
    const requestsBefore = harness.hubspot.requests.length;
    await expect(readDeal(second, harness, PORTAL_A)).rejects.toMatchObject({
      category: 'PORTAL_NOT_CONNECTED',
    });
    expect(harness.hubspot.requests.length).toBe(requestsBefore);

    // A purge from the CLI (its own database connection) reaches both instances the same way.
    const purged = await runCli(['portals', 'purge', '--portal', String(PORTAL_B)], {
      out: () => undefined,
      err: () => undefined,
      env: {
        DATABASE_URL: harness.database.url,
        HUBSPOT_API_BASE_URL: harness.hubspot.url,
        HUBSPOT_CLIENT_ID: OAUTH_CLIENT_ID,
        TOKEN_ENCRYPTION_KEY: harness.encryptionKey,
      },
    });
    expect(purged).toBe(0);
    for (const instance of [first, second])
      await waitFor(async () => !instance.running.services.portals.isInstalled(PORTAL_B), 1_000);
    await expect(readDeal(second, harness, PORTAL_B)).rejects.toMatchObject({
      category: 'PORTAL_NOT_CONNECTED',
    });
    expect(harness.hubspot.requests.length).toBe(requestsBefore);
  });
});
