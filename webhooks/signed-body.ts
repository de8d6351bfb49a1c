import type { IncomingMessage } from 'node:http';
import type { WebhookErrorCode } from './http-error';
import { RawBodyError, readRawBody } from './raw-body';
import {
  REQUEST_TIMESTAMP_HEADER,
  SIGNATURE_V3_HEADER,
  uriForRequest,
  verifySignatureV3,
} from './signature-v3';

/** hubspot.fetch and HubSpot's webhooks both cap bodies at 1 MB (DESIGN.md §4). */
export const MAX_SIGNED_BODY_BYTES = 1024 * 1024;

export type SignedRequestRejectionReason =
  | 'missing-headers'
  | 'stale-timestamp'
  | 'bad-signature'
  | 'too-large'
  | 'unreadable-body'
  | 'malformed-json';

/** What a refused signature is told, by reason. */
export const UNAUTHENTICATED_MESSAGES = {
  'missing-headers': 'Missing or unreadable X-HubSpot-Signature-v3 / X-HubSpot-Request-Timestamp headers',
  'stale-timestamp': 'X-HubSpot-Request-Timestamp is more than 5 minutes away from now',
  'bad-signature': 'X-HubSpot-Signature-v3 does not match the request',
} as const;

export type SignedBody =
  | {
      ok: true;
      raw: Buffer;
      /** The body decoded as UTF-8 ('' when there was none). */
      text: string;
      /** The parsed JSON; undefined when there was no body (and `emptyBody` allowed it). */
      json: unknown;
    }
  | { ok: false; code: WebhookErrorCode; reason: SignedRequestRejectionReason; message: string };

export interface ReadSignedBodyInput {
  clientSecret: string;
  /** The origin HubSpot calls (PUBLIC_BASE_URL): the signed uri starts with it, not with our Host header. */
  publicBaseUrl: string;
  /** The request's path and query as received (express's originalUrl, node's req.url). */
  pathAndQuery: string;
  /** Epoch milliseconds the signature's age is measured against. */
  nowMs: number;
  /** The card's GETs have no body; a webhook without one is malformed. */
  emptyBody: 'allowed' | 'refused';
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The front half of every v3-signed request, webhook or card alike, in the order that keeps
 * unauthenticated bytes from costing us anything: the raw body with a 1 MB limit (413), the signature
 * over those exact bytes (401), and only then UTF-8 and JSON (400). Refusals come back as data with
 * the code, reason and message to answer with.
 */
export async function readSignedBody(req: IncomingMessage, input: ReadSignedBodyInput): Promise<SignedBody> {
  let raw: Buffer;
  try {
    raw = await readRawBody(req, MAX_SIGNED_BODY_BYTES);
  } catch (error) {
    if (!(error instanceof RawBodyError)) throw error;
    return { ok: false, code: error.code, reason: error.reason, message: error.message };
  }

  const verdict = verifySignatureV3({
    clientSecret: input.clientSecret,
    method: req.method ?? '',
    uri: uriForRequest(input.publicBaseUrl, input.pathAndQuery),
    rawBody: raw,
    signature: headerText(req.headers[SIGNATURE_V3_HEADER]),
    timestamp: headerText(req.headers[REQUEST_TIMESTAMP_HEADER]),
    nowMs: input.nowMs,
  });
  if (!verdict.valid) {
    return {
      ok: false,
      code: 'UNAUTHENTICATED',
      reason: verdict.reason,
      message: UNAUTHENTICATED_MESSAGES[verdict.reason],
    };
  }

  if (raw.length === 0 && input.emptyBody === 'allowed') return { ok: true, raw, text: '', json: undefined };
  // Only signed bytes get this far: decoding and parsing them is work an attacker cannot make us do.
  let text: string | undefined;
  try {
    text = utf8.decode(raw);
    return { ok: true, raw, text, json: JSON.parse(text) as unknown };
  } catch {
    const message = text === undefined ? 'Request body is not valid UTF-8' : 'Request body is not valid JSON';
    return { ok: false, code: 'BAD_REQUEST', reason: 'malformed-json', message };
  }
}

/** Node joins repeated custom headers into one string; anything else is as good as absent. */
function headerText(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
