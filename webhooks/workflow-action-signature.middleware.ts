import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendError } from './http-error';
import { RawBodyError, readRawBody } from './raw-body';
import { MAX_SIGNED_BODY_BYTES } from './signed-body';
import { requireSignatureV3, type RequireSignatureV3Options } from './signed-request.middleware';
import { SIGNATURE_V2_HEADER, SIGNATURE_VERSION_HEADER, verifySignatureV2 } from './signature-v2';
import { SIGNATURE_V3_HEADER } from './signature-v3';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * For custom workflow action requests (DESIGN.md §7): HubSpot documents them as v2-signed, and newer
 * platforms send v3. v3 is checked when its header is present, v2 when the request says it is v2, and a
 * request with neither is refused (401). The body is read raw (1 MB limit) and parsed only once verified;
 * afterwards `req.body` holds the parsed JSON.
 */
export function requireWorkflowActionSignature(options: RequireSignatureV3Options): RequestHandler {
  const v3 = requireSignatureV3(options);
  const { clientSecret, publicBaseUrl } = options;

  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.headers[SIGNATURE_V3_HEADER] !== undefined) return v3(req, res, next);
    if (req.headers[SIGNATURE_VERSION_HEADER] !== 'v2') {
      sendError(
        res,
        'UNAUTHENTICATED',
        'Missing X-HubSpot-Signature-v3, or X-HubSpot-Signature with version v2',
      );
      return;
    }
    let raw: Buffer;
    try {
      raw = await readRawBody(req, MAX_SIGNED_BODY_BYTES);
    } catch (error) {
      if (!(error instanceof RawBodyError)) throw error;
      sendError(res, error.code, error.message);
      return;
    }
    const signature = req.headers[SIGNATURE_V2_HEADER];
    const valid = verifySignatureV2({
      clientSecret,
      method: req.method,
      uri: publicBaseUrl.replace(/\/+$/, '') + req.originalUrl,
      rawBody: raw,
      signature: typeof signature === 'string' ? signature : undefined,
    });
    if (!valid) {
      sendError(res, 'UNAUTHENTICATED', 'X-HubSpot-Signature does not match the request');
      return;
    }
    try {
      req.body = raw.length === 0 ? undefined : (JSON.parse(utf8.decode(raw)) as unknown);
    } catch {
      sendError(res, 'BAD_REQUEST', 'Request body is not valid JSON');
      return;
    }
    req.rawBody = raw;
    next();
  };
}
