/**
 * The one error vocabulary of the service. Code raises AppError with a code; the HTTP layer maps the
 * code to a status once (HTTP_STATUS_BY_CODE) and answers {"error": {code, message, details?}}.
 */
export const HTTP_STATUS_BY_CODE = {
  BAD_REQUEST: 400,
  INVALID_PLAYBOOK: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  UPSTREAM_FAILED: 502,
  UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type AppErrorCode = keyof typeof HTTP_STATUS_BY_CODE;

export interface ErrorBody {
  error: { code: AppErrorCode; message: string; details?: unknown };
}

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return HTTP_STATUS_BY_CODE[this.code];
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** A thrown value as one line for logs, stored errors and messages (anything can be thrown in JS). */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
