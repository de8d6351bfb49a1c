import { randomBytes } from 'node:crypto';
import { createTokenCipher } from '../../../src/modules/portals/token-cipher';

describe('token cipher (AES-256-GCM at rest)', () => {
  const key = randomBytes(32);
  const cipher = createTokenCipher(key);

  it('seals a token so the stored value neither shows nor repeats it', () => {
    const first = cipher.seal('refresh-secret-value');
    const second = cipher.seal('refresh-secret-value');
    expect(first).not.toContain('refresh-secret-value');
    expect(first).not.toBe(second);
    expect(cipher.open(first)).toBe('refresh-secret-value');
  });

  it('refuses a value tampered with, without echoing it', () => {
    const sealed = cipher.seal('refresh-secret-value');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[4]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[4] = body.toString('base64url');
    expect(() => cipher.open(parts.join('.'))).toThrow(/cannot be decrypted/);
  });

  it('opens values of the previous key during a rotation and tells they are stale', () => {
    const oldKey = randomBytes(32);
    const sealedWithOld = createTokenCipher(oldKey).seal('access-secret');
    expect(() => createTokenCipher(key, randomBytes(32)).open(sealedWithOld)).toThrow(/cannot be decrypted/);
    const rotating = createTokenCipher(key, oldKey);
    expect(rotating.open(sealedWithOld)).toBe('access-secret');
    expect(rotating.isStale(sealedWithOld)).toBe(true);
    expect(rotating.isStale(rotating.seal('x'))).toBe(false);
  });
});
