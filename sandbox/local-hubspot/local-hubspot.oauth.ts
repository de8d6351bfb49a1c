import { randomBytes, randomUUID } from 'node:crypto';
import type { FakeResponse } from './hubspot-error-bodies';

/**
 * HubSpot's OAuth 2.0 server, as the local HubSpot plays it: registered apps, a simulated consent
 * screen (the "signed-in user" picks the portal), single-use authorization codes, expiring access tokens
 * and refresh tokens that an uninstall revokes. The answers are shaped as HubSpot's OAuth docs and
 * @hubspot/api-client's oauth models show them: `POST /oauth/v1/token` answers
 * `{token_type, refresh_token, access_token, expires_in}`; `GET /oauth/v1/access-tokens/{token}`
 * answers `{token, user, hub_domain, scopes, hub_id, app_id, expires_in, user_id, token_type}`; a
 * refused grant is a 400 with HubSpot's `status` (`BAD_AUTH_CODE`, `BAD_REFRESH_TOKEN`, ...).
 */
export interface FakeOAuthApp {
  appId: number;
  clientId: string;
  clientSecret: string;
}

export interface FakeConsent {
  portalId: number;
  userId: number;
  userEmail: string;
  hubDomain: string;
}

interface IssuedCode {
  app: FakeOAuthApp;
  consent: FakeConsent;
  redirectUri: string;
  scopes: string[];
  expiresAtMs: number;
  used: boolean;
}

interface IssuedRefreshToken {
  app: FakeOAuthApp;
  consent: FakeConsent;
  scopes: string[];
  revoked: boolean;
}

export interface IssuedAccessToken {
  app: FakeOAuthApp;
  consent: FakeConsent;
  scopes: string[];
  expiresAtMs: number;
}

/** HubSpot's authorization codes are short-lived. */
const CODE_TTL_MS = 10 * 60 * 1000;

function oauthError(status: string, message: string): FakeResponse {
  return {
    status: 400,
    body: { status, message, correlationId: randomUUID(), requestId: randomUUID() },
  };
}

export class LocalHubSpotOAuth {
  /** HubSpot's access tokens live 30 minutes; tests shorten it. */
  accessTokenTtlSeconds = 1800;
  /** The fake's clock for expiry; tests share theirs with the service. */
  now: () => Date = () => new Date();
  /** Who is signed in to HubSpot when the browser reaches the authorize page; null shows no consent. */
  signedIn: FakeConsent | null = null;
  /** Counts the grants answered, by grant type, so tests can see a refresh happened once. */
  readonly grants = { authorization_code: 0, refresh_token: 0 };

  private readonly apps = new Map<string, FakeOAuthApp>();
  private readonly codes = new Map<string, IssuedCode>();
  private readonly refreshTokens = new Map<string, IssuedRefreshToken>();
  private readonly accessTokens = new Map<string, IssuedAccessToken>();
  private readonly issued: string[] = [];

  private secret(prefix: string): string {
    const value = `${prefix}-${randomBytes(18).toString('base64url')}`;
    this.issued.push(value);
    return value;
  }

  registerApp(app: FakeOAuthApp): FakeOAuthApp {
    this.apps.set(app.clientId, app);
    return app;
  }

  /** The token's grant, while it is unexpired and its installation stands; null otherwise. */
  accessTokenGrant(token: string): IssuedAccessToken | 'expired' | null {
    const grant = this.accessTokens.get(token);
    if (!grant) return null;
    return grant.expiresAtMs <= this.now().getTime() ? 'expired' : grant;
  }

  /** The user removes the app from the portal: every token of the app for that portal stops working. */
  uninstall(clientId: string, portalId: number): void {
    for (const issued of this.refreshTokens.values()) {
      if (issued.app.clientId === clientId && issued.consent.portalId === portalId) issued.revoked = true;
    }
    for (const [token, issued] of this.accessTokens) {
      if (issued.app.clientId === clientId && issued.consent.portalId === portalId)
        this.accessTokens.delete(token);
    }
  }

  /** Every access token issued and not yet revoked, for tests that look for tokens where none belong. */
  liveAccessTokens(): string[] {
    return [...this.accessTokens.keys()];
  }

  /** Every secret this server ever handed out (codes, refresh and access tokens), revoked ones included. */
  issuedSecrets(): string[] {
    return [...this.issued];
  }

  /**
   * `GET /oauth/authorize`: HubSpot shows its consent screen; here the signed-in user consents at once
   * and the browser is sent back to the app's redirect URI with a code and the app's state.
   */
  authorize(query: URLSearchParams): FakeResponse {
    const app = this.apps.get(query.get('client_id') ?? '');
    const redirectUri = query.get('redirect_uri');
    if (!app || !redirectUri)
      return { status: 400, body: 'unknown client_id or missing redirect_uri', contentType: 'text/plain' };
    const target = new URL(redirectUri);
    const state = query.get('state');
    if (state !== null) target.searchParams.set('state', state);
    if (!this.signedIn) {
      target.searchParams.set('error', 'access_denied');
      return { status: 302, body: '', contentType: 'text/plain', headers: { Location: target.toString() } };
    }
    const code = this.secret('code');
    this.codes.set(code, {
      app,
      consent: this.signedIn,
      redirectUri,
      scopes: (query.get('scope') ?? '').split(/[ +]/).filter((scope) => scope.length > 0),
      expiresAtMs: this.now().getTime() + CODE_TTL_MS,
      used: false,
    });
    target.searchParams.set('code', code);
    return { status: 302, body: '', contentType: 'text/plain', headers: { Location: target.toString() } };
  }

  /** `POST /oauth/v1/token`, form-encoded, both grants. */
  token(form: URLSearchParams): FakeResponse {
    const app = this.apps.get(form.get('client_id') ?? '');
    if (!app) return oauthError('BAD_CLIENT_ID', 'missing or invalid client id');
    if (form.get('client_secret') !== app.clientSecret)
      return oauthError('BAD_CLIENT_SECRET', 'missing or invalid client secret');
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const issued = this.codes.get(form.get('code') ?? '');
      // A code is single-use: HubSpot refuses it the second time.
      if (!issued || issued.used || issued.app !== app || issued.expiresAtMs <= this.now().getTime())
        return oauthError('BAD_AUTH_CODE', 'missing or unknown auth code');
      if (form.get('redirect_uri') !== issued.redirectUri)
        return oauthError('BAD_REDIRECT_URI', 'redirect_uri does not match the one authorized');
      issued.used = true;
      this.grants.authorization_code += 1;
      return this.issueTokens(app, issued.consent, issued.scopes);
    }
    if (grantType === 'refresh_token') {
      const issued = this.refreshTokens.get(form.get('refresh_token') ?? '');
      if (!issued || issued.revoked || issued.app !== app)
        return oauthError('BAD_REFRESH_TOKEN', 'missing or invalid refresh token');
      this.grants.refresh_token += 1;
      // HubSpot keeps the refresh token across refreshes and answers it again.
      const refreshToken = form.get('refresh_token') ?? '';
      return this.issueAccessToken(app, issued.consent, issued.scopes, refreshToken);
    }
    return oauthError('BAD_GRANT_TYPE', 'missing or unsupported grant_type');
  }

  /** `GET /oauth/v1/access-tokens/{token}`: what the token is for (the portal is `hub_id`). */
  accessTokenInfo(token: string): FakeResponse {
    const grant = this.accessTokenGrant(token);
    if (!grant || grant === 'expired') {
      return {
        status: 404,
        body: { status: 'error', message: 'Token not found', correlationId: randomUUID() },
      };
    }
    return {
      status: 200,
      body: {
        token,
        user: grant.consent.userEmail,
        hub_domain: grant.consent.hubDomain,
        scopes: grant.scopes,
        hub_id: grant.consent.portalId,
        app_id: grant.app.appId,
        expires_in: Math.max(0, Math.floor((grant.expiresAtMs - this.now().getTime()) / 1000)),
        user_id: grant.consent.userId,
        token_type: 'access',
      },
    };
  }

  private issueTokens(app: FakeOAuthApp, consent: FakeConsent, scopes: string[]): FakeResponse {
    const refreshToken = this.secret('refresh');
    this.refreshTokens.set(refreshToken, { app, consent, scopes, revoked: false });
    return this.issueAccessToken(app, consent, scopes, refreshToken);
  }

  private issueAccessToken(
    app: FakeOAuthApp,
    consent: FakeConsent,
    scopes: string[],
    refreshToken: string,
  ): FakeResponse {
    const accessToken = this.secret('access');
    this.accessTokens.set(accessToken, {
      app,
      consent,
      scopes,
      expiresAtMs: this.now().getTime() + this.accessTokenTtlSeconds * 1000,
    });
    return {
      status: 200,
      body: {
        token_type: 'bearer',
        refresh_token: refreshToken,
        access_token: accessToken,
        expires_in: this.accessTokenTtlSeconds,
      },
    };
  }
}
