import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HubSpot's v3 request signature (DESIGN.md §4), for webhooks and `hubspot.fetch` requests alike:
 * base64(HMAC-SHA256(clientSecret, method + uri + body + timestamp)).
 *
 * We do not use `Signature.isValid` from @hubspot/api-client: it compares with `===` (a timing
 * oracle) and throws on stale timestamps instead of saying so.
 */

export const SIGNATURE_V3_HEADER = 'x-hubspot-signature-v3';
export const REQUEST_TIMESTAMP_HEADER = 'x-hubspot-request-timestamp';

/** HubSpot's own window: older requests are replays as far as we are concerned. */
export const SIGNATURE_MAX_AGE_MS = 5 * 60 * 1000;

// HubSpot decodes exactly these escapes in the uri before signing. Hex digits are matched in either
// case (RFC 3986 makes them equivalent); anything else, %25 included, stays encoded, and a single pass
// means `%253A` is never turned into `:`.
const DECODED_ESCAPES: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};
const DECODED_ESCAPE_PATTERN = new RegExp(Object.keys(DECODED_ESCAPES).join('|'), 'gi');

/** The uri as HubSpot signs it: the listed escapes decoded, everything else byte for byte. */
export function decodeSignedUriEscapes(uri: string): string {
  return uri.replace(DECODED_ESCAPE_PATTERN, (escape) => DECODED_ESCAPES[escape.toUpperCase()] ?? escape);
}

/**
 * The uri HubSpot signed for a request: the public origin it called plus the path and query exactly
 * as received (`req.originalUrl`, before any router rewrote `req.url`).
 */
export function uriForRequest(publicBaseUrl: string, originalUrl: string): string {
  const base = publicBaseUrl.replace(/\/+$/, '');
  const pathAndQuery = originalUrl.startsWith('/') ? originalUrl : `/${originalUrl}`;
  return decodeSignedUriEscapes(base + pathAndQuery);
}

function computeSignature(
  clientSecret: string,
  method: string,
  uri: string,
  body: Buffer | string,
  timestamp: string,
): string {
  // Fed piecewise so the body's bytes are signed exactly as received, with no decode/re-encode step.
  return createHmac('sha256', clientSecret)
    .update(method.toUpperCase(), 'utf8')
    .update(decodeSignedUriEscapes(uri), 'utf8')
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .update(timestamp, 'utf8')
    .digest('base64');
}

export interface VerifySignatureV3Input {
  clientSecret: string;
  method: string;
  /** PUBLIC_BASE_URL + path and query as received; the listed escapes are decoded here if still present. */
  uri: string;
  rawBody: Buffer | string;
  signature: string | undefined;
  /** The X-HubSpot-Request-Timestamp header, epoch milliseconds. */
  timestamp: string | number | undefined;
  nowMs: number;
  maxAgeMs?: number;
}

export type SignatureV3Result =
  { valid: true } | { valid: false; reason: 'missing-headers' | 'stale-timestamp' | 'bad-signature' };

const TIMESTAMP_PATTERN = /^\d{1,16}$/;

export function verifySignatureV3(input: VerifySignatureV3Input): SignatureV3Result {
  const { clientSecret, method, uri, rawBody, signature, nowMs, maxAgeMs = SIGNATURE_MAX_AGE_MS } = input;
  const timestamp = input.timestamp === undefined ? undefined : String(input.timestamp).trim();

  // An unreadable timestamp is treated like an absent one: the request lacks what v3 needs.
  if (!signature || !timestamp || !TIMESTAMP_PATTERN.test(timestamp)) {
    return { valid: false, reason: 'missing-headers' };
  }
  // A timestamp too far in the future is as unusable as an old one: it would extend the replay window.
  if (Math.abs(nowMs - Number(timestamp)) > maxAgeMs) {
    return { valid: false, reason: 'stale-timestamp' };
  }

  // The timestamp goes into the signed string exactly as the header carried it.
  const expected = Buffer.from(computeSignature(clientSecret, method, uri, rawBody, timestamp), 'utf8');
  const given = Buffer.from(signature.trim(), 'utf8');
  // timingSafeEqual throws on unequal lengths; the length of a SHA-256 base64 digest is no secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { valid: false, reason: 'bad-signature' };
  }
  return { valid: true };
}

export interface SignRequestV3Input {
  clientSecret: string;
  method: string;
  uri: string;
  body: Buffer | string;
  timestampMs: number;
}

export interface SignedRequestV3 {
  signature: string;
  timestamp: string;
  /** Ready to set on a request: `X-HubSpot-Signature-v3` and `X-HubSpot-Request-Timestamp`. */
  headers: Record<string, string>;
}

/** Signs a request as HubSpot would: for tests, the demo and the local HubSpot fake. */
export function signRequestV3(input: SignRequestV3Input): SignedRequestV3 {
  const timestamp = String(Math.trunc(input.timestampMs));
  const signature = computeSignature(input.clientSecret, input.method, input.uri, input.body, timestamp);
  return {
    signature,
    timestamp,
    headers: { 'X-HubSpot-Signature-v3': signature, 'X-HubSpot-Request-Timestamp': timestamp },
  };
}
