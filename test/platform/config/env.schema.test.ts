import { ConfigError, parseConfig } from '../../../src/platform/config/env.schema';

const REQUIRED = ['HUBSPOT_CLIENT_SECRET', 'PUBLIC_BASE_URL'] as const;

function problemsOf(env: Record<string, string>, required = REQUIRED): string[] {
  try {
    parseConfig(env, required);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('environment', () => {
  it('applies the documented defaults when only the required variables are set', () => {
    const config = parseConfig(
      { HUBSPOT_CLIENT_SECRET: 's', PUBLIC_BASE_URL: 'https://sop.example.com/' },
      REQUIRED,
    );
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: 'sqlite:./data/sop-guide.db',
      hubspotApiBaseUrl: 'https://api.hubapi.com',
      publicBaseUrl: 'https://sop.example.com',
      sweepIntervalSeconds: 900,
      managerUserIds: [],
      hubspotAccessToken: null,
    });
  });

  it('names each missing required variable', () => {
    expect(problemsOf({})).toEqual(['HUBSPOT_CLIENT_SECRET: required', 'PUBLIC_BASE_URL: required']);
  });

  it('names the variable whose value is bad and says what was expected', () => {
    const problems = problemsOf({
      HUBSPOT_CLIENT_SECRET: 's',
      PUBLIC_BASE_URL: 'https://sop.example.com',
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      MANAGER_USER_IDS: '12,abc',
    });
    expect(problems).toContain('PORT: must be a whole number between 0 and 65535, got "eighty"');
    expect(problems).toContain('DATABASE_URL: expected sqlite:<path> or postgres://...');
    expect(problems).toContain('MANAGER_USER_IDS: expected comma-separated numeric user ids');
  });

  it('says plainly what a number must be, echoing the value given', () => {
    expect(problemsOf({ PORT: 'abc' }, [] as never)).toEqual([
      'PORT: must be a whole number between 0 and 65535, got "abc"',
    ]);
    expect(problemsOf({ PORT: '70000', SHUTDOWN_TIMEOUT_SECONDS: '0' }, [] as never)).toEqual([
      'PORT: must be a whole number between 0 and 65535, got "70000"',
      'SHUTDOWN_TIMEOUT_SECONDS: must be a number of seconds above 0, got "0"',
    ]);
  });

  it('reads the HTTP limits and the shutdown deadline, in seconds, with defaults for a webhook receiver', () => {
    expect(parseConfig({})).toMatchObject({
      http: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, maxConnections: 1000 },
      shutdownTimeoutMs: 10_000,
    });
    expect(
      parseConfig({
        HTTP_HEADERS_TIMEOUT_SECONDS: '2.5',
        HTTP_MAX_CONNECTIONS: '50',
        SHUTDOWN_TIMEOUT_SECONDS: '30',
      }),
    ).toMatchObject({ http: { headersTimeoutMs: 2500, maxConnections: 50 }, shutdownTimeoutMs: 30_000 });
  });

  it('refuses a header timeout longer than the request timeout it is part of', () => {
    expect(problemsOf({ HTTP_REQUEST_TIMEOUT_SECONDS: '2' }, [] as never)).toEqual([
      'HTTP_HEADERS_TIMEOUT_SECONDS: must not exceed HTTP_REQUEST_TIMEOUT_SECONDS (2), got "10"',
    ]);
  });

  it('treats an empty variable as unset', () => {
    const config = parseConfig({ PORT: '', DATABASE_URL: '' });
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBe('sqlite:./data/sop-guide.db');
  });

  it('parses manager user ids and accepts PostgreSQL URLs', () => {
    const config = parseConfig({
      MANAGER_USER_IDS: ' 101, 202 ',
      DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
    });
    expect(config.managerUserIds).toEqual(['101', '202']);
    expect(config.databaseUrl).toBe('postgres://u@127.0.0.1:5432/db');
  });

  it('never echoes a secret value in its error message', () => {
    try {
      parseConfig({ HUBSPOT_CLIENT_SECRET: 'super-secret-value', PORT: '-1' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).not.toContain('super-secret-value');
    }
  });
});
