import { z } from 'zod';
import type { HttpLimits } from '../http/drainable-server';

/**
 * The environment of DESIGN.md §3, parsed once at start-up. Everything inside the service takes the
 * resulting Config; nothing else reads process.env.
 */
const databaseUrl = z
  .string()
  .refine((value) => /^sqlite:.+/.test(value) || /^postgres(ql)?:\/\/.+/.test(value), {
    message: 'expected sqlite:<path> or postgres://...',
  });

const httpsOrigin = z
  .string()
  .url({ message: 'expected an absolute URL such as https://sop.example.com' })
  .transform((value) => value.replace(/\/+$/, ''));

const userIdList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id.length > 0),
  )
  .refine((ids) => ids.every((id) => /^\d+$/.test(id)), {
    message: 'expected comma-separated numeric user ids',
  });

/** A whole number from the environment, with a message that names the range and echoes the value. */
function wholeNumber(min: number, max: number, fallback: number) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return fallback;
      const number = Number(value);
      if (!/^\s*\d+\s*$/.test(value) || number < min || number > max) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a whole number between ${min} and ${max}, got "${value}"`,
        });
        return z.NEVER;
      }
      return number;
    });
}

/** A duration in seconds (fractions allowed), above zero. */
function positiveSeconds(fallback: number) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return fallback;
      const number = Number(value);
      if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
        ctx.addIssue({ code: 'custom', message: `must be a number of seconds above 0, got "${value}"` });
        return z.NEVER;
      }
      return number;
    });
}

/** AES-256 needs exactly 32 bytes; generate one with `openssl rand -base64 32`. */
const encryptionKey = z
  .string()
  .transform((value) => Buffer.from(value, 'base64'))
  .refine((key) => key.length === 32, {
    message: 'expected 32 bytes, base64-encoded (generate one with: openssl rand -base64 32)',
  });

const envSchema = z.object({
  // 0 asks the system for any free port (tests, the demo's second instance).
  PORT: wholeNumber(0, 65535, 3000),
  DATABASE_URL: databaseUrl.default('sqlite:./data/sop-guide.db'),
  HUBSPOT_CLIENT_SECRET: z.string().min(1).optional(),
  HUBSPOT_ACCESS_TOKEN: z.string().min(1).optional(),
  HUBSPOT_API_BASE_URL: httpsOrigin.default('https://api.hubapi.com'),
  HUBSPOT_CLIENT_ID: z.string().min(1).optional(),
  HUBSPOT_OAUTH_AUTHORIZE_URL: httpsOrigin.default('https://app.hubspot.com/oauth/authorize'),
  TOKEN_ENCRYPTION_KEY: encryptionKey.optional(),
  TOKEN_ENCRYPTION_KEY_PREVIOUS: encryptionKey.optional(),
  PUBLIC_BASE_URL: httpsOrigin.optional(),
  MANAGER_USER_IDS: userIdList,
  MANAGER_OWNER_ID: z.string().regex(/^\d+$/, { message: 'expected a numeric HubSpot owner id' }).optional(),
  SWEEP_INTERVAL_SECONDS: wholeNumber(0, Number.MAX_SAFE_INTEGER, 900),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  // A webhook receiver's budget is seconds (HubSpot waits a few for an answer): Node's defaults of
  // 60 s for headers and 300 s for a request let one slow client hold a connection for minutes.
  HTTP_HEADERS_TIMEOUT_SECONDS: positiveSeconds(10),
  HTTP_REQUEST_TIMEOUT_SECONDS: positiveSeconds(30),
  HTTP_MAX_CONNECTIONS: wholeNumber(1, 1_000_000, 1000),
  SHUTDOWN_TIMEOUT_SECONDS: positiveSeconds(10),
});

/** OAuth mode (DESIGN.md §7): many portals install the app; their tokens are stored encrypted. */
export interface OAuthConfig {
  clientId: string;
  authorizeUrl: string;
  encryptionKey: Buffer;
  /** The key being rotated out: still read, never written. */
  previousEncryptionKey: Buffer | null;
}

export interface Config {
  port: number;
  databaseUrl: string;
  hubspotClientSecret: string;
  hubspotAccessToken: string | null;
  hubspotApiBaseUrl: string;
  /** Null with static auth (HUBSPOT_ACCESS_TOKEN). */
  oauth: OAuthConfig | null;
  publicBaseUrl: string;
  managerUserIds: string[];
  managerOwnerId: string | null;
  sweepIntervalSeconds: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  http: HttpLimits;
  /** How long a shutdown may take before whatever is left is cut. */
  shutdownTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parse the environment. `required` lists what this command cannot run without (`start` needs the
 * client secret and public URL; the CLI's offline commands need neither).
 */
export function parseConfig(
  env: Record<string, string | undefined>,
  required: ReadonlyArray<'HUBSPOT_CLIENT_SECRET' | 'PUBLIC_BASE_URL'> = [],
): Config {
  // An empty variable means "unset" to people; let the defaults apply.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = envSchema.safeParse(present);
  const problems: string[] = result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  for (const name of required) {
    if (present[name] === undefined) problems.push(`${name}: required`);
  }
  if (result.success && result.data.HTTP_HEADERS_TIMEOUT_SECONDS > result.data.HTTP_REQUEST_TIMEOUT_SECONDS) {
    // Node refuses to start a server otherwise: the headers are part of the request.
    problems.push(
      `HTTP_HEADERS_TIMEOUT_SECONDS: must not exceed HTTP_REQUEST_TIMEOUT_SECONDS (${result.data.HTTP_REQUEST_TIMEOUT_SECONDS}), got "${result.data.HTTP_HEADERS_TIMEOUT_SECONDS}"`,
    );
  }
  if (result.success) problems.push(...authModeProblems(result.data));
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  const env_ = result.data;
  return {
    port: env_.PORT,
    databaseUrl: env_.DATABASE_URL,
    hubspotClientSecret: env_.HUBSPOT_CLIENT_SECRET ?? '',
    hubspotAccessToken: env_.HUBSPOT_ACCESS_TOKEN ?? null,
    hubspotApiBaseUrl: env_.HUBSPOT_API_BASE_URL,
    oauth:
      env_.HUBSPOT_CLIENT_ID && env_.TOKEN_ENCRYPTION_KEY
        ? {
            clientId: env_.HUBSPOT_CLIENT_ID,
            authorizeUrl: env_.HUBSPOT_OAUTH_AUTHORIZE_URL,
            encryptionKey: env_.TOKEN_ENCRYPTION_KEY,
            previousEncryptionKey: env_.TOKEN_ENCRYPTION_KEY_PREVIOUS ?? null,
          }
        : null,
    publicBaseUrl: env_.PUBLIC_BASE_URL ?? `http://localhost:${env_.PORT}`,
    managerUserIds: env_.MANAGER_USER_IDS,
    managerOwnerId: env_.MANAGER_OWNER_ID ?? null,
    sweepIntervalSeconds: env_.SWEEP_INTERVAL_SECONDS,
    logLevel: env_.LOG_LEVEL,
    http: {
      headersTimeoutMs: env_.HTTP_HEADERS_TIMEOUT_SECONDS * 1000,
      requestTimeoutMs: env_.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
      maxConnections: env_.HTTP_MAX_CONNECTIONS,
    },
    shutdownTimeoutMs: env_.SHUTDOWN_TIMEOUT_SECONDS * 1000,
  };
}

/** Static auth (one portal, its token) or OAuth (many portals, encrypted tokens): one, never both. */
function authModeProblems(env: z.infer<typeof envSchema>): string[] {
  if (!env.HUBSPOT_CLIENT_ID) return [];
  const problems: string[] = [];
  if (env.HUBSPOT_ACCESS_TOKEN)
    problems.push(
      'HUBSPOT_CLIENT_ID: set either HUBSPOT_ACCESS_TOKEN (static auth, one portal) or HUBSPOT_CLIENT_ID (OAuth, many portals), not both',
    );
  if (!env.TOKEN_ENCRYPTION_KEY)
    problems.push(
      'TOKEN_ENCRYPTION_KEY: required with HUBSPOT_CLIENT_ID (OAuth mode stores refresh tokens encrypted); generate one with: openssl rand -base64 32',
    );
  return problems;
}
