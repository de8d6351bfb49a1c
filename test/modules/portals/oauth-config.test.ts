import { randomBytes } from 'node:crypto';
import { ConfigError, parseConfig } from '../../../src/platform/config/env.schema';

/** OAuth mode's environment (DESIGN.md §7): chosen by HUBSPOT_CLIENT_ID, refused with a message that says what to do. */
const KEY = randomBytes(32).toString('base64');

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('OAuth mode configuration', () => {
  it('is off with static auth, and on with a client id and a 32-byte key', () => {
    expect(parseConfig({ HUBSPOT_ACCESS_TOKEN: 'pat' }).oauth).toBeNull();
    const previous = randomBytes(32).toString('base64');
    const config = parseConfig({
      HUBSPOT_CLIENT_ID: 'client',
      TOKEN_ENCRYPTION_KEY: KEY,
      TOKEN_ENCRYPTION_KEY_PREVIOUS: previous,
    });
    expect(config.oauth).toEqual({
      clientId: 'client',
      authorizeUrl: 'https://app.hubspot.com/oauth/authorize',
      encryptionKey: Buffer.from(KEY, 'base64'),
      previousEncryptionKey: Buffer.from(previous, 'base64'),
    });
  });

  it('requires the encryption key in OAuth mode and says how to make one', () => {
    expect(problemsOf({ HUBSPOT_CLIENT_ID: 'client' })).toEqual([
      expect.stringMatching(
        /^TOKEN_ENCRYPTION_KEY: required with HUBSPOT_CLIENT_ID .*openssl rand -base64 32/,
      ),
    ]);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(
      problemsOf({ HUBSPOT_CLIENT_ID: 'client', TOKEN_ENCRYPTION_KEY: randomBytes(16).toString('base64') }),
    ).toEqual([expect.stringMatching(/^TOKEN_ENCRYPTION_KEY: expected 32 bytes, base64-encoded/)]);
  });

  it('refuses both modes at once', () => {
    expect(
      problemsOf({ HUBSPOT_CLIENT_ID: 'client', TOKEN_ENCRYPTION_KEY: KEY, HUBSPOT_ACCESS_TOKEN: 'pat' }),
    ).toEqual([
      expect.stringContaining(
        'set either HUBSPOT_ACCESS_TOKEN (static auth, one portal) or HUBSPOT_CLIENT_ID',
      ),
    ]);
  });
});
