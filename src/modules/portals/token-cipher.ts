import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError } from '../../platform/errors/app-error';

/**
 * OAuth tokens at rest (DESIGN.md §7): AES-256-GCM with a fresh 12-byte nonce per value, so a stolen
 * database alone opens nothing and a tampered value fails to decrypt. A value names the key that sealed
 * it (`v1.<key id>.<nonce>.<tag>.<ciphertext>`, base64url): during a rotation the previous key still
 * opens old values, and `portals rotate-key` re-seals them all with the current one.
 */
export interface TokenCipher {
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** Sealed with a key other than the current one (a rotation has not reached it yet). */
  isStale(sealed: string): boolean;
}

const NONCE_BYTES = 12;

/** A short, non-secret fingerprint of a key: tells which key sealed a value without revealing it. */
function keyId(key: Buffer): string {
  return createHash('sha256').update('sop-guide-token-key').update(key).digest('base64url').slice(0, 8);
}

export function createTokenCipher(current: Buffer, previous: Buffer | null = null): TokenCipher {
  const keys = new Map<string, Buffer>([[keyId(current), current]]);
  if (previous) keys.set(keyId(previous), previous);
  const currentId = keyId(current);
  const unreadable = () =>
    new AppError(
      'INTERNAL',
      'A stored token cannot be decrypted: TOKEN_ENCRYPTION_KEY (or TOKEN_ENCRYPTION_KEY_PREVIOUS) is not the key it was sealed with',
    );
  return {
    seal(plaintext) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current, nonce);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', currentId, nonce, cipher.getAuthTag(), ciphertext]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    open(sealed) {
      const [version, id, nonce, tag, ciphertext] = sealed.split('.');
      const key = id === undefined ? undefined : keys.get(id);
      if (version !== 'v1' || !key || nonce === undefined || tag === undefined || ciphertext === undefined)
        throw unreadable();
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([
          decipher.update(Buffer.from(ciphertext, 'base64url')),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw unreadable();
      }
    },
    isStale: (sealed) => sealed.split('.')[1] !== currentId,
  };
}
