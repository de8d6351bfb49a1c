import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, isAppError } from '../errors/app-error';
import type { Logger } from '../observability/logger';

/** Unknown routes answer in the same error shape as everything else. */
export const notFoundHandler: RequestHandler = (req, res) => {
  const error = new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}`);
  res.status(error.status).json(error.toBody());
};

/**
 * The one place where errors become HTTP answers. AppErrors carry their own status; body-parser's
 * errors (too large, bad JSON) are translated; anything else is a 500 that never leaks internals.
 */
export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const error = toAppError(err);
    if (error.code === 'INTERNAL')
      logger.error('request failed', { method: req.method, path: req.path, error: err });
    if (res.headersSent) return;
    res.status(error.status).json(error.toBody());
  };
}

function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  const status = typeof err === 'object' && err !== null && 'status' in err ? Number(err.status) : NaN;
  const type = typeof err === 'object' && err !== null && 'type' in err ? String(err.type) : '';
  if (status === 413 || type === 'entity.too.large')
    return new AppError('PAYLOAD_TOO_LARGE', 'Request body is over 1 MB');
  if (type === 'entity.parse.failed') return new AppError('BAD_REQUEST', 'Request body is not valid JSON');
  if (status >= 400 && status < 500) return new AppError('BAD_REQUEST', 'Bad request');
  return new AppError('INTERNAL', 'Internal error');
}
