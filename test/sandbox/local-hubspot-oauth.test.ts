import { Client } from '@hubspot/api-client';
import { seedSamplePortal, startLocalHubSpot, type LocalHubSpot } from '../../sandbox/local-hubspot';

/**
 * The local HubSpot's OAuth server, driven by the real @hubspot/api-client's oauth APIs the way the app
 * uses them: the code grant, the refresh grant, the token's metadata, expiry and revocation.
 */
const CLIENT = { appId: 777, clientId: 'client-1', clientSecret: 'secret-1' };
const REDIRECT_URI = 'https://app.example/oauth/callback';

describe('local HubSpot OAuth endpoints', () => {
  let hubspot: LocalHubSpot;
  let client: Client;
  let now: Date;
  beforeEach(async () => {
    hubspot = await startLocalHubSpot({ port: 0 });
    seedSamplePortal(hubspot.state, { portalId: 4242, token: 'private-4242' });
    hubspot.state.oauth.registerApp(CLIENT);
    now = new Date('2026-11-26T15:00:00.000Z');
    hubspot.state.oauth.now = () => now;
    hubspot.state.oauth.signedIn = {
      portalId: 4242,
      userId: 9,
      userEmail: 'admin@example.com',
      hubDomain: 'acme.hubspot.test',
    };
    client = new Client({ basePath: hubspot.url, numberOfApiCallRetries: 0 });
  });
  afterEach(async () => {
    await hubspot.close();
  });

  const authorizeCode = async () => {
    const query = new URLSearchParams({
      client_id: CLIENT.clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'crm.objects.deals.read settings.users.read',
      state: 'xyz',
    });
    const response = await fetch(`${hubspot.url}/oauth/authorize?${query}`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const back = new URL(response.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(REDIRECT_URI);
    expect(back.searchParams.get('state')).toBe('xyz');
    return back.searchParams.get('code')!;
  };

  const exchange = (code: string) =>
    client.oauth.tokensApi.create(
      'authorization_code',
      code,
      REDIRECT_URI,
      CLIENT.clientId,
      CLIENT.clientSecret,
    );

  it('exchanges a code once for tokens whose metadata names the portal as hub_id', async () => {
    const code = await authorizeCode();
    const tokens = await exchange(code);
    expect(tokens).toMatchObject({ tokenType: 'bearer', expiresIn: 1800 });
    const info = await client.oauth.accessTokensApi.get(tokens.accessToken);
    expect(info).toMatchObject({
      hubId: 4242,
      userId: 9,
      user: 'admin@example.com',
      hubDomain: 'acme.hubspot.test',
      appId: 777,
      scopes: ['crm.objects.deals.read', 'settings.users.read'],
      tokenType: 'access',
    });
    // The access token opens the portal's CRM like a private app's token does.
    const deals = new Client({
      accessToken: tokens.accessToken,
      basePath: hubspot.url,
      numberOfApiCallRetries: 0,
    });
    await expect(deals.crm.deals.basicApi.getPage(1)).resolves.toMatchObject({ results: expect.any(Array) });
    await expect(exchange(code)).rejects.toMatchObject({
      code: 400,
      body: { message: 'missing or unknown auth code' },
    });
  });

  it('expires access tokens (401 EXPIRED_AUTHENTICATION) and refreshes them with the refresh token', async () => {
    const tokens = await exchange(await authorizeCode());
    now = new Date(now.getTime() + 1800 * 1000);
    const expired = new Client({
      accessToken: tokens.accessToken,
      basePath: hubspot.url,
      numberOfApiCallRetries: 0,
    });
    await expect(expired.crm.deals.basicApi.getPage(1)).rejects.toMatchObject({
      code: 401,
      body: { category: 'EXPIRED_AUTHENTICATION' },
    });
    const refreshed = await client.oauth.tokensApi.create(
      'refresh_token',
      undefined,
      undefined,
      CLIENT.clientId,
      CLIENT.clientSecret,
      tokens.refreshToken,
    );
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect(refreshed.refreshToken).toBe(tokens.refreshToken);
    expect(hubspot.state.oauth.grants).toEqual({ authorization_code: 1, refresh_token: 1 });
  });

  it('answers 400 BAD_REFRESH_TOKEN once the app is uninstalled, and the access tokens stop working', async () => {
    const tokens = await exchange(await authorizeCode());
    hubspot.state.oauth.uninstall(CLIENT.clientId, 4242);
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      refresh_token: tokens.refreshToken,
    });
    const response = await fetch(`${hubspot.url}/oauth/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      status: 'BAD_REFRESH_TOKEN',
      message: 'missing or invalid refresh token',
    });
    const revoked = new Client({
      accessToken: tokens.accessToken,
      basePath: hubspot.url,
      numberOfApiCallRetries: 0,
    });
    await expect(revoked.crm.deals.basicApi.getPage(1)).rejects.toMatchObject({ code: 401 });
  });

  it('refuses a wrong client secret without touching the refresh token', async () => {
    const tokens = await exchange(await authorizeCode());
    await expect(
      client.oauth.tokensApi.create(
        'refresh_token',
        undefined,
        undefined,
        CLIENT.clientId,
        'wrong',
        tokens.refreshToken,
      ),
    ).rejects.toMatchObject({ code: 400, body: { message: 'missing or invalid client secret' } });
  });
});
