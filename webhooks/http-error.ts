import type { Response } from 'express';

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

export function sendError(res: Response, code: WebhookErrorCode, message: string, details?: unknown): void {
  const body: WebhookErrorBody = { error: { code, message, ...(details === undefined ? {} : { details }) } };
  res.status(HTTP_STATUS_BY_WEBHOOK_ERROR_CODE[code]).json(body);
}
