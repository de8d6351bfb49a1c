import type { ServerResponse } from 'node:http';

/**
 * The service's error shape, `{"error": {code, message, details?}}` (DESIGN.md §3). webhooks/ cannot
 * import src/errors, so it answers with the same codes (a subset of src's HTTP_STATUS_BY_CODE) here.
 */
export type WebhookErrorCode = 'BAD_REQUEST' | 'UNAUTHENTICATED' | 'PAYLOAD_TOO_LARGE' | 'UNAVAILABLE';

export const HTTP_STATUS_BY_WEBHOOK_ERROR_CODE: Record<WebhookErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  PAYLOAD_TOO_LARGE: 413,
  UNAVAILABLE: 503,
};

export interface WebhookErrorBody {
  error: { code: WebhookErrorCode; message: string; details?: unknown };
}

/**
 * Answers with the error shape on a plain node ServerResponse, so the webhook intake (no express) and
 * the signed express routes (express's Response extends it) answer alike. The same content type as
 * express's `res.json`, and an explicit length so the answer is not chunked.
 */
export function sendError(
  res: ServerResponse,
  code: WebhookErrorCode,
  message: string,
  details?: unknown,
): void {
  const body: WebhookErrorBody = { error: { code, message, ...(details === undefined ? {} : { details }) } };
  const text = JSON.stringify(body);
  res.writeHead(HTTP_STATUS_BY_WEBHOOK_ERROR_CODE[code], {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
