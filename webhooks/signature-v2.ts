import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * HubSpot's v2 request signature (DESIGN.md §4), which custom workflow action requests carry:
 * `X-HubSpot-Signature` is the hex SHA-256 of client secret + method + uri + body. No HMAC and no
 * timestamp, so a captured request can be replayed; v3 is checked instead whenever its headers are there.
 */
export const SIGNATURE_V2_HEADER = 'x-hubspot-signature';
export const SIGNATURE_VERSION_HEADER = 'x-hubspot-signature-version';

export interface SignatureV2Input {
  clientSecret: string;
  method: string;
  /** The full URL HubSpot called: the public origin plus the path and query as received. */
  uri: string;
  rawBody: Buffer | string;
}

export function computeSignatureV2(input: SignatureV2Input): string {
  // Fed piecewise so the body's bytes are hashed exactly as received.
  return createHash('sha256')
    .update(input.clientSecret, 'utf8')
    .update(input.method.toUpperCase(), 'utf8')
    .update(input.uri, 'utf8')
    .update(input.rawBody)
    .digest('hex');
}

/** Constant-time comparison of the hex digests; a missing or malformed header is simply invalid. */
export function verifySignatureV2(input: SignatureV2Input & { signature: string | undefined }): boolean {
  if (!input.signature || !/^[0-9a-fA-F]{64}$/.test(input.signature)) return false;
  const expected = Buffer.from(computeSignatureV2(input), 'hex');
  return timingSafeEqual(expected, Buffer.from(input.signature.toLowerCase(), 'hex'));
}
