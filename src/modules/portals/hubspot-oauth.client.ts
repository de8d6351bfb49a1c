import { Client } from '@hubspot/api-client';
import { z } from 'zod';
import { AppError } from '../../platform/errors/app-error';
import type { MetricsRegistry } from '../../platform/observability/metrics.registry';

/**
 * HubSpot's OAuth endpoints through @hubspot/api-client (`client.oauth`), pointed at
 * HUBSPOT_API_BASE_URL: the code and refresh grants (`POST /oauth/v1/token`, form-encoded) and the
 * token's metadata (`GET /oauth/v1/access-tokens/{token}`, whose `hub_id` is the portal). Answers are
 * parsed here; failures say what HubSpot refused and never carry a token.
 */
export interface OAuthClientSettings {
  basePath: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  metrics: MetricsRegistry;
  /** Per request: a refresh holds the installation's lock, which must not wait on HubSpot for ever. */
  timeoutMs?: number;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
}

export interface AccessTokenInfo {
  portalId: number;
  userId: number | null;
  userEmail: string | null;
  hubDomain: string | null;
  scopes: string[];
}

/** HubSpot refused the grant itself (a used or unknown code, a revoked refresh token): retrying cannot help. */
export class GrantRefusedError extends AppError {
  constructor(
    readonly grant: 'authorization_code' | 'refresh_token',
    readonly refreshTokenRevoked: boolean,
    hubspotMessage: string,
  ) {
    super('UPSTREAM_FAILED', `HubSpot refused the ${grant} grant: ${hubspotMessage}`);
  }
}

export interface HubSpotOAuthClient {
  exchangeCode(code: string): Promise<IssuedTokens>;
  refresh(refreshToken: string): Promise<IssuedTokens>;
  accessTokenInfo(accessToken: string): Promise<AccessTokenInfo>;
}

const issuedSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  expiresIn: z.number().int().positive(),
});

const infoSchema = z.object({
  hubId: z.number().int().positive(),
  userId: z.number().int().nullish(),
  user: z.string().nullish(),
  hubDomain: z.string().nullish(),
  scopes: z.array(z.string()),
});

/** The SDK's ApiException: code and (deserialized) body; HubSpot's `status` field does not survive it. */
function httpFailure(error: unknown): { code: number; message: string; status: string | null } | null {
  if (typeof error !== 'object' || error === null || typeof (error as { code?: unknown }).code !== 'number')
    return null;
  const body = (error as { body?: unknown }).body;
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  return {
    code: (error as { code: number }).code,
    message: typeof fields.message === 'string' ? fields.message : 'no message',
    status: typeof fields.status === 'string' ? fields.status : null,
  };
}

/**
 * A refresh HubSpot refuses because the refresh token no longer works: 400 `BAD_REFRESH_TOKEN` (OAuth2's
 * `invalid_grant`). The SDK drops `status`, so HubSpot's message ("missing or invalid refresh token")
 * tells it apart from a refused client id or secret, which is our misconfiguration, not an uninstall.
 */
function isRevokedRefreshToken(failure: { code: number; message: string; status: string | null }): boolean {
  if (failure.code !== 400) return false;
  if (failure.status !== null)
    return failure.status === 'BAD_REFRESH_TOKEN' || failure.status === 'invalid_grant';
  return /refresh token/i.test(failure.message);
}

const DEFAULT_TIMEOUT_MS = 10_000;

export function createHubSpotOAuthClient(settings: OAuthClientSettings): HubSpotOAuthClient {
  const client = new Client({ basePath: settings.basePath, numberOfApiCallRetries: 0 });
  const requestsTotal = settings.metrics.counter(
    'hubspot_oauth_requests_total',
    'HubSpot OAuth requests by operation (authorization_code, refresh_token, access_token_info) and outcome',
  );
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  /** Runs one OAuth request, bounded in time and counted; the SDK cannot abort, so a late answer is dropped. */
  const bounded = async <T>(operation: string, request: Promise<T>): Promise<T> => {
    request.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new AppError(
              'UPSTREAM_FAILED',
              `HubSpot's OAuth ${operation} gave no answer within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      const answer = await Promise.race([request, timeout]);
      requestsTotal.inc({ operation, status: '200' });
      return answer;
    } catch (error) {
      requestsTotal.inc({ operation, status: String(httpFailure(error)?.code ?? 'error') });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };

  const grant = async (
    kind: 'authorization_code' | 'refresh_token',
    secretValue: string,
  ): Promise<IssuedTokens> => {
    try {
      const answer = await bounded(
        kind,
        kind === 'authorization_code'
          ? client.oauth.tokensApi.create(
              kind,
              secretValue,
              settings.redirectUri,
              settings.clientId,
              settings.clientSecret,
            )
          : client.oauth.tokensApi.create(
              kind,
              undefined,
              undefined,
              settings.clientId,
              settings.clientSecret,
              secretValue,
            ),
      );
      const parsed = issuedSchema.parse(answer);
      return {
        accessToken: parsed.accessToken,
        refreshToken: parsed.refreshToken,
        expiresInSeconds: parsed.expiresIn,
      };
    } catch (error) {
      if (error instanceof AppError) throw error;
      const failure = httpFailure(error);
      if (failure && failure.code >= 400 && failure.code < 500)
        throw new GrantRefusedError(
          kind,
          kind === 'refresh_token' && isRevokedRefreshToken(failure),
          failure.message,
        );
      throw new AppError('UPSTREAM_FAILED', `HubSpot's token endpoint failed (${kind})`, {
        status: failure?.code ?? null,
      });
    }
  };

  return {
    exchangeCode: (code) => grant('authorization_code', code),
    refresh: (refreshToken) => grant('refresh_token', refreshToken),
    async accessTokenInfo(accessToken) {
      let answer: unknown;
      try {
        answer = await bounded('access_token_info', client.oauth.accessTokensApi.get(accessToken));
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw new AppError('UPSTREAM_FAILED', "HubSpot's access-token info failed", {
          status: httpFailure(error)?.code ?? null,
        });
      }
      const info = infoSchema.parse(answer);
      return {
        portalId: info.hubId,
        userId: info.userId ?? null,
        userEmail: info.user ?? null,
        hubDomain: info.hubDomain ?? null,
        scopes: info.scopes,
      };
    },
  };
}
