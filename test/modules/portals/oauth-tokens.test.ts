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
} from './oauth-harness';

const [PORTAL_A, PORTAL_B, PORTAL_C] = PORTAL_IDS;
const ACCESS_TOKEN_TTL_MS = 1800 * 1000;
const REFRESH_AHEAD_MS = 5 * 60 * 1000;

describe.each(DATABASES)('OAuth tokens (%s)', (kind) => {
  let harness: OAuthHarness;
  let first: OAuthInstance;
  beforeEach(async () => {
    harness = await startOAuthHarness(kind);
    first = harness.instances[0]!;
  });
  afterEach(async () => {
    await harness.stop();
  });

  const installAndBackfill = async (portalId: number, via: OAuthInstance = first) => {
    expect((await harness.install(portalId, via)).status).toBe(200);
    await waitFor(async () => (await countLiveDeals(via.running.services.store, portalId)) === 6);
  };
  /** One HubSpot read for the portal, through the instance's gateway; answers the deal ids read. */
  const readDeal = async (instance: OAuthInstance, portalId: number) => {
    const { deals } = await instance.running.services.hubspot.deals.batchRead(
      portalId,
      [harness.samples.get(portalId)!.deals.readyQualified],
      ['dealname'],
    );
    return deals.map((deal) => deal.id);
  };

  it('refreshes an access token ahead of its expiry once, however many requests (and instances) need it at once', async () => {
    await installAndBackfill(PORTAL_A);
    // Two instances share PostgreSQL; SQLite serves one process, whose callers share one refresh.
    const instances = kind === 'postgres' ? [first, await harness.startInstance()] : [first];
    for (const instance of instances) await readDeal(instance, PORTAL_A);
    expect(harness.hubspot.state.oauth.grants.refresh_token).toBe(0);

    // Inside the refresh-ahead window: HubSpot would still take the token, the app renews it first.
    harness.clock.advanceMs(ACCESS_TOKEN_TTL_MS - REFRESH_AHEAD_MS + 1000);
    const reads = instances.flatMap((instance) =>
      Array.from({ length: 10 }, () => readDeal(instance, PORTAL_A)),
    );
    const results = await Promise.all(reads);
    expect(results.every((result) => result.length === 1)).toBe(true);
    expect(harness.hubspot.state.oauth.grants.refresh_token).toBe(1);

    // Every instance then uses the one new token: no second refresh while it is fresh.
    for (const instance of instances) await readDeal(instance, PORTAL_A);
    expect(harness.hubspot.state.oauth.grants.refresh_token).toBe(1);
    const tokensUsed = new Set(
      harness.hubspot.requests.slice(-instances.length).map((request) => request.portalId),
    );
    expect([...tokensUsed]).toEqual([PORTAL_A]);
  });

  it('a 401 on a token the app thought fresh triggers one refresh and one retry', async () => {
    await installAndBackfill(PORTAL_A);
    // HubSpot's clock runs ahead: it already considers the token expired.
    harness.hubspot.state.oauth.now = () => new Date(harness.clock.now().getTime() + ACCESS_TOKEN_TTL_MS);
    const requestsBefore = harness.hubspot.requests.length;
    await expect(readDeal(first, PORTAL_A)).resolves.toHaveLength(1);
    expect(harness.hubspot.state.oauth.grants.refresh_token).toBe(1);
    const statuses = harness.hubspot.requests.slice(requestsBefore).map((request) => request.status);
    expect(statuses).toEqual([401, 200, 200]);
  });

  it('a revoked refresh token uninstalls the portal: card 404, webhooks acknowledged and dropped, no HubSpot call', async () => {
    await installAndBackfill(PORTAL_A);
    await installAndBackfill(PORTAL_B);
    const second = kind === 'postgres' ? await harness.startInstance() : null;
    harness.hubspot.state.oauth.uninstall(OAUTH_CLIENT_ID, PORTAL_A);

    // The next call finds the access token refused and the refresh token revoked.
    await expect(readDeal(first, PORTAL_A)).rejects.toMatchObject({ category: 'PORTAL_NOT_CONNECTED' });
    const stored = await first.running.services.store.installations.findInstallation(PORTAL_A);
    expect(stored).toMatchObject({ status: 'uninstalled', sealedAccessToken: null });

    const requestsBefore = harness.hubspot.requests.length;
    const sampleA = harness.samples.get(PORTAL_A)!;
    const card = await harness.cardRequest(
      first,
      `/api/v1/deals/${sampleA.deals.readyQualified}/guidance`,
      PORTAL_A,
      sampleA.owners.rep.userId,
    );
    expect(card.status).toBe(404);
    harness.hubspot.state.moveDealToStage(
      PORTAL_A,
      sampleA.deals.freshAppointment,
      'qualifiedtobuy',
      harness.clock.now(),
    );
    const webhook = await harness.sendWebhook(first, [
      stageChangeEvent(sampleA.deals.freshAppointment, 'qualifiedtobuy', harness.clock.now(), PORTAL_A),
    ]);
    expect(webhook.status).toBe(200);
    await first.running.workers.drainInbox();
    expect(
      (await first.running.services.store.deals.getDeal(PORTAL_A, sampleA.deals.freshAppointment))!.stageId,
    ).toBe('appointmentscheduled');
    await expect(readDeal(first, PORTAL_A)).rejects.toMatchObject({ category: 'PORTAL_NOT_CONNECTED' });
    // Another instance stops too once it reloads; portal B is untouched.
    if (second) {
      await second.running.services.portals.reload();
      expect(second.running.services.portals.isInstalled(PORTAL_A)).toBe(false);
      await expect(readDeal(second, PORTAL_A)).rejects.toMatchObject({ category: 'PORTAL_NOT_CONNECTED' });
    }
    expect(harness.hubspot.requests.slice(requestsBefore).filter((r) => r.portalId === PORTAL_A)).toEqual([]);
    await expect(readDeal(first, PORTAL_B)).resolves.toHaveLength(1);
  });

  it('three portals with interleaved webhooks: every HubSpot call for a portal uses its own token, and no token shows anywhere', async () => {
    for (const portalId of PORTAL_IDS) await installAndBackfill(portalId);
    const requestsBefore = harness.hubspot.requests.length;
    const moves = PORTAL_IDS.flatMap((portalId) => {
      const deals = harness.samples.get(portalId)!.deals;
      return [
        { portalId, dealId: deals.freshAppointment, stageId: 'qualifiedtobuy' },
        { portalId, dealId: deals.presentation, stageId: 'decisionmakerboughtin' },
      ];
    });
    // Interleaved: A, B, C, A, B, C across two batches.
    const interleaved = [0, 2, 4, 1, 3, 5].map((index) => moves[index]!);
    for (const move of interleaved) {
      harness.hubspot.state.moveDealToStage(move.portalId, move.dealId, move.stageId, harness.clock.now());
    }
    const events = interleaved.map((move) =>
      stageChangeEvent(move.dealId, move.stageId, harness.clock.now(), move.portalId),
    );
    expect((await harness.sendWebhook(first, events.slice(0, 3))).status).toBe(200);
    expect((await harness.sendWebhook(first, events.slice(3))).status).toBe(200);
    await first.running.workers.drainInbox();

    for (const move of moves) {
      const deal = await first.running.services.store.deals.getDeal(move.portalId, move.dealId);
      expect(deal?.stageId).toBe(move.stageId);
    }
    // Each request named only deals of the portal whose token it carried.
    const dealIdsOf = (portalId: number) => Object.values(harness.samples.get(portalId)!.deals);
    const processed = harness.hubspot.requests.slice(requestsBefore);
    expect(processed.length).toBeGreaterThan(0);
    for (const request of processed) {
      expect(request.portalId).not.toBeNull();
      const text = `${request.path} ${JSON.stringify(request.query)} ${JSON.stringify(request.body ?? null)}`;
      for (const other of PORTAL_IDS.filter((portalId) => portalId !== request.portalId)) {
        for (const dealId of dealIdsOf(other)) expect(text).not.toContain(dealId);
      }
    }
    expect(new Set(processed.map((request) => request.portalId))).toEqual(
      new Set([PORTAL_A, PORTAL_B, PORTAL_C]),
    );

    // A refresh, a 401 and an uninstall, so that every kind of token has passed through the app.
    harness.clock.advanceMs(ACCESS_TOKEN_TTL_MS);
    await readDeal(first, PORTAL_B);
    harness.hubspot.state.oauth.uninstall(OAUTH_CLIENT_ID, PORTAL_C);
    await expect(readDeal(first, PORTAL_C)).rejects.toThrow();

    const metrics = await (await fetch(`${first.url}/metrics`)).text();
    // The OAuth requests are counted by outcome, the refused refresh among them.
    expect(metrics).toMatch(
      /hubspot_oauth_requests_total\{[^}]*operation="refresh_token"[^}]*status="400"[^}]*\} 1/,
    );
    const out: string[] = [];
    const cliIo = {
      out: (text: string) => out.push(text),
      err: (text: string) => out.push(text),
      env: {
        DATABASE_URL: harness.database.url,
        HUBSPOT_API_BASE_URL: harness.hubspot.url,
        HUBSPOT_CLIENT_ID: OAUTH_CLIENT_ID,
        TOKEN_ENCRYPTION_KEY: harness.encryptionKey,
      },
    };
    expect(await runCli(['portals', 'list'], cliIo)).toBe(0);
    expect(await runCli(['portals', 'rotate-key'], cliIo)).toBe(0);
    const rows = await first.running.services.store.installations.listSealedTokens();
    const everything = [harness.logLines.join('\n'), metrics, out.join('\n'), JSON.stringify(rows)].join(
      '\n',
    );
    const secrets = harness.hubspot.state.oauth.issuedSecrets();
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(harness.logLines.length).toBeGreaterThan(0);
    expect(everything).toContain('HubSpot revoked the refresh token');
  });
});
