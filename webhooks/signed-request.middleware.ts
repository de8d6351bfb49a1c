import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendError } from './http-error';
import type { WebhookErrorCode } from './http-error';
import { readSignedBody, type SignedRequestRejectionReason } from './signed-body';

export { MAX_SIGNED_BODY_BYTES, type SignedRequestRejectionReason } from './signed-body';

declare module 'express-serve-static-core' {
  interface Request {
    /** The body's bytes exactly as received (empty when none), set by requireSignatureV3. */
    rawBody?: Buffer;
  }
}

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

/**
 * Lets through only requests signed by HubSpot with the app's client secret (v3): the card's
 * `hubspot.fetch` calls to /api/v1. The steps are readSignedBody's, which the webhook intake runs
 * outside express: raw body with a 1 MB limit (413), signature over those exact bytes (401), and only
 * then UTF-8 and JSON (400), so nothing unauthenticated is ever parsed. Afterwards `req.rawBody` holds the bytes and `res.locals.json` (also `req.body`) the parsed JSON,
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
    const body = await readSignedBody(req, {
      clientSecret,
      publicBaseUrl,
      pathAndQuery: req.originalUrl,
      nowMs: clock(),
      emptyBody: 'allowed',
    });
    if (!body.ok) {
      reject(res, body.code, body.reason, body.message);
      return;
    }
    req.rawBody = body.raw;
    res.locals.json = body.json;
    req.body = body.json;
    next();
  };
}
