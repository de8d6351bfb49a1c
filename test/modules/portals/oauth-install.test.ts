import { createStore } from '../../../src/app/store';
import { DATABASES } from '../../support/test-databases';
import { countLiveDeals } from '../../support/store/store-reads';
import { OAUTH_CLIENT_ID, PORTAL_IDS, startOAuthHarness, waitFor, type OAuthHarness } from './oauth-harness';

const [PORTAL_A, PORTAL_B] = PORTAL_IDS;

describe.each(DATABASES)('OAuth install (%s)', (kind) => {
  let harness: OAuthHarness;
  beforeEach(async () => {
    harness = await startOAuthHarness(kind);
  });
  afterEach(async () => {
    await harness.stop();
  });

  const installations = () => harness.instances[0]!.running.services.store.installations;

  it('sends the browser to HubSpot with the client id, the callback URL, the app scopes and a state', async () => {
    const response = await fetch(`${harness.instances[0]!.url}/oauth/install`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const target = new URL(response.headers.get('location')!);
    expect(`${target.origin}${target.pathname}`).toBe(`${harness.hubspot.url}/oauth/authorize`);
    expect(target.searchParams.get('client_id')).toBe(OAUTH_CLIENT_ID);
    expect(target.searchParams.get('redirect_uri')).toBe('https://sop.test.example/oauth/callback');
    expect(target.searchParams.get('scope')!.split(' ')).toEqual(
      expect.arrayContaining(['crm.objects.deals.read', 'crm.objects.deals.write', 'settings.users.read']),
    );
    expect(target.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('installs a portal through the real flow: tokens sealed at rest, who installed it, its deals backfilled', async () => {
    const page = await harness.install(PORTAL_A);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`installed in HubSpot account ${PORTAL_A}`);

    const stored = await installations().findInstallation(PORTAL_A);
    expect(stored).toMatchObject({
      portalId: PORTAL_A,
      status: 'installed',
      installedBy: {
        userId: Number(harness.samples.get(PORTAL_A)!.owners.manager.userId),
        email: harness.samples.get(PORTAL_A)!.owners.manager.email,
      },
    });
    expect(stored!.scopes).toContain('crm.objects.deals.read');
    // Sealed: no live token appears in the row, and the row opens only with the key.
    const liveTokens = harness.hubspot.state.oauth.liveAccessTokens();
    expect(liveTokens).toHaveLength(1);
    const rowText = JSON.stringify(stored);
    for (const token of liveTokens) expect(rowText).not.toContain(token);
    expect(stored!.sealedRefreshToken).toMatch(/^v1\./);

    const { store } = harness.instances[0]!.running.services;
    await waitFor(async () => (await countLiveDeals(store, PORTAL_A)) === 6);

    // The card of an installed portal works, through the OAuth access token.
    const sample = harness.samples.get(PORTAL_A)!;
    const card = await harness.cardRequest(
      harness.instances[0]!,
      `/api/v1/deals/${sample.deals.readyQualified}/guidance`,
      PORTAL_A,
      sample.owners.rep.userId,
    );
    expect(card.status).toBe(200);
    // A portal that never installed gets nothing.
    const other = await harness.cardRequest(
      harness.instances[0]!,
      `/api/v1/deals/${harness.samples.get(PORTAL_B)!.deals.readyQualified}/guidance`,
      PORTAL_B,
      harness.samples.get(PORTAL_B)!.owners.rep.userId,
    );
    expect(other.status).toBe(404);
  });

  it('refuses a forged state and stores nothing', async () => {
    const callback = await harness.callbackUrlFor(PORTAL_A);
    callback.searchParams.set('state', 'forged-state-forged-state-forged-x');
    const response = await fetch(`${harness.instances[0]!.url}${callback.pathname}${callback.search}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('invalid, already used or expired');
    expect(await installations().findInstallation(PORTAL_A)).toBeNull();
    // The forged attempt did not spend HubSpot's code either: nothing was exchanged.
    expect(harness.hubspot.state.oauth.grants.authorization_code).toBe(0);
  });

  it('refuses a replayed callback (the state works once) and a state older than ten minutes', async () => {
    const callback = await harness.callbackUrlFor(PORTAL_A);
    const url = `${harness.instances[0]!.url}${callback.pathname}${callback.search}`;
    expect((await fetch(url)).status).toBe(200);
    const replay = await fetch(url);
    expect(replay.status).toBe(400);

    const late = await harness.callbackUrlFor(PORTAL_B);
    harness.clock.advanceMs(10 * 60 * 1000 + 1);
    const lateAnswer = await fetch(`${harness.instances[0]!.url}${late.pathname}${late.search}`);
    expect(lateAnswer.status).toBe(400);
    expect(await installations().findInstallation(PORTAL_B)).toBeNull();
  });

  it('refuses a code HubSpot already exchanged, even with a fresh state', async () => {
    const used = await harness.callbackUrlFor(PORTAL_A);
    expect((await fetch(`${harness.instances[0]!.url}${used.pathname}${used.search}`)).status).toBe(200);
    const fresh = await harness.callbackUrlFor(PORTAL_B);
    fresh.searchParams.set('code', used.searchParams.get('code')!);
    const response = await fetch(`${harness.instances[0]!.url}${fresh.pathname}${fresh.search}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('refused this authorization code');
    expect(await installations().findInstallation(PORTAL_B)).toBeNull();
  });

  it('a user who declines on HubSpot gets the 400 page and nothing is stored', async () => {
    const start = await fetch(`${harness.instances[0]!.url}/oauth/install`, { redirect: 'manual' });
    harness.hubspot.state.oauth.signedIn = null;
    const consent = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location')!);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const response = await fetch(`${harness.instances[0]!.url}${callback.pathname}${callback.search}`);
    expect(response.status).toBe(400);
    expect(await installations().listInstalled()).toEqual([]);
  });

  it('a flow started on one instance finishes on another (the state lives in the database)', async () => {
    const second = await harness.startInstance();
    const callback = await harness.callbackUrlFor(PORTAL_A, harness.instances[0]!);
    const response = await fetch(`${second.url}${callback.pathname}${callback.search}`);
    expect(response.status).toBe(200);
    // The first instance learns of it on its next reload, without a restart.
    await harness.instances[0]!.running.services.portals.reload();
    expect(harness.instances[0]!.running.services.portals.isInstalled(PORTAL_A)).toBe(true);
  });

  it('reinstalling the same portal replaces its tokens and keeps its data', async () => {
    await harness.install(PORTAL_A);
    const { store } = harness.instances[0]!.running.services;
    await waitFor(async () => (await countLiveDeals(store, PORTAL_A)) === 6);
    const before = await installations().findInstallation(PORTAL_A);
    harness.clock.advanceMs(60_000);
    expect((await harness.install(PORTAL_A)).status).toBe(200);
    const after = await installations().findInstallation(PORTAL_A);
    expect(after!.sealedRefreshToken).not.toBe(before!.sealedRefreshToken);
    expect(after!.installedAt.getTime()).toBe(before!.installedAt.getTime() + 60_000);
    const reopened = await createStore(harness.database.url);
    try {
      expect(await countLiveDeals(reopened, PORTAL_A)).toBe(6);
    } finally {
      await reopened.close();
    }
  });
});
