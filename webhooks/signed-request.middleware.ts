import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendError } from './http-error';
import type { WebhookErrorCode } from './http-error';
import { RawBodyError, readRawBody } from './raw-body';
import {
  REQUEST_TIMESTAMP_HEADER,
  SIGNATURE_V3_HEADER,
  uriForRequest,
  verifySignatureV3,
} from './signature-v3';

declare module 'express-serve-static-core' {
  interface Request {
    /** The body's bytes exactly as received (empty when none), set by requireSignatureV3. */
    rawBody?: Buffer;
  }
}

/** hubspot.fetch and HubSpot's webhooks both cap bodies at 1 MB (DESIGN.md §4). */
export const MAX_SIGNED_BODY_BYTES = 1024 * 1024;

export type SignedRequestRejectionReason =
  | 'missing-headers'
  | 'stale-timestamp'
  | 'bad-signature'
  | 'too-large'
  | 'unreadable-body'
  | 'malformed-json';

export interface SignedRequestRejection {
  status: number;
  code: WebhookErrorCode;
  reason: SignedRequestRejectionReason;
}

export interface RequireSignatureV3Options {
  clientSecret: string;
  /** The origin HubSpot calls (PUBLIC_BASE_URL): the signed uri starts with it, not with our Host header. */
  publicBaseUrl: string;
  /** Epoch milliseconds. */
  clock: () => number;
  /** Told about every refused request, for metrics and logs; it never sees the body or the headers. */
  onRejected?: (rejection: SignedRequestRejection) => void;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Lets through only requests signed by HubSpot with the app's client secret (v3): the card's
 * `hubspot.fetch` calls to /api/v1 (the webhook intake takes the same steps outside express).
 * In order: the body is read raw with a 1 MB limit (413), the signature is checked over those exact
 * bytes (401), and only then is the body JSON-parsed (400), so nothing unauthenticated is ever parsed.
 * Afterwards `req.rawBody` holds the bytes and `res.locals.json` (also `req.body`) the parsed JSON,
 * `undefined` when there was no body.
 *
 * It must run before any other body parser: a body already consumed cannot be verified, and such a
 * request is refused (400) rather than trusted.
 */
export function requireSignatureV3(options: RequireSignatureV3Options): RequestHandler {
  const { clientSecret, publicBaseUrl, clock, onRejected } = options;

  const reject = (
    res: Response,
    code: WebhookErrorCode,
    reason: SignedRequestRejectionReason,
    message: string,
  ): void => {
    sendError(res, code, message);
    onRejected?.({ status: res.statusCode, code, reason });
  };

  // Async so that express 5 turns anything unexpected into next(error) rather than an unhandled rejection.
  return async (req: Request, res: Response, next: NextFunction) => {
    // Every content type is read raw: the signature covers the bytes, whatever the client called them.
    let rawBody: Buffer;
    try {
      rawBody = await readRawBody(req, MAX_SIGNED_BODY_BYTES);
    } catch (error) {
      if (!(error instanceof RawBodyError)) throw error;
      reject(res, error.code, error.reason, error.message);
      return;
    }
    req.rawBody = rawBody;

    const verdict = verifySignatureV3({
      clientSecret,
      method: req.method,
      uri: uriForRequest(publicBaseUrl, req.originalUrl),
      rawBody,
      signature: req.get(SIGNATURE_V3_HEADER),
      timestamp: req.get(REQUEST_TIMESTAMP_HEADER),
      nowMs: clock(),
    });
    if (!verdict.valid) {
      reject(res, 'UNAUTHENTICATED', verdict.reason, UNAUTHENTICATED_MESSAGES[verdict.reason]);
      return;
    }

    let json: unknown = undefined;
    if (rawBody.length > 0) {
      try {
        json = JSON.parse(utf8.decode(rawBody));
      } catch {
        reject(res, 'BAD_REQUEST', 'malformed-json', 'Request body is not valid JSON');
        return;
      }
    }
    res.locals.json = json;
    req.body = json;
    next();
  };
}

/** What a refused signature is told, by reason; the webhook intake answers with the same words. */
export const UNAUTHENTICATED_MESSAGES = {
  'missing-headers': 'Missing or unreadable X-HubSpot-Signature-v3 / X-HubSpot-Request-Timestamp headers',
  'stale-timestamp': 'X-HubSpot-Request-Timestamp is more than 5 minutes away from now',
  'bad-signature': 'X-HubSpot-Signature-v3 does not match the request',
} as const;
