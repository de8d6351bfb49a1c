import type { IncomingMessage } from 'node:http';
import type { WebhookErrorCode } from './http-error';

/**
 * Reads a request body as the exact bytes received, for everything that verifies a v3 signature (the
 * signature covers those bytes). node:http only, no body-parser: the webhook intake runs outside
 * express, and the signed /api/v1 routes read bodies the same way so the two cannot drift apart.
 *
 * Bytes are never decoded here, Content-Encoding included: HubSpot signs the body as sent, so a body
 * we inflated would no longer be the one signed.
 */

export type RawBodyErrorReason = 'too-large' | 'unreadable-body';

/** Why a body could not be had; `code` and `status` are what the client is told. */
export class RawBodyError extends Error {
  readonly code: Extract<WebhookErrorCode, 'PAYLOAD_TOO_LARGE' | 'BAD_REQUEST'>;
  readonly status: 413 | 400;

  constructor(
    readonly reason: RawBodyErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RawBodyError';
    this.code = reason === 'too-large' ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
    this.status = reason === 'too-large' ? 413 : 400;
  }
}

const EMPTY_BODY = Buffer.alloc(0);

/**
 * Resolves with the whole body (an empty buffer when there is none), or rejects with a RawBodyError:
 * `too-large` (413) past `limitBytes`, whether Content-Length says so up front or a chunked body grows
 * past it; `unreadable-body` (400) when the client aborts or the body was already consumed.
 *
 * A too-large body is still read to its end, discarding every byte, before the promise rejects (as
 * body-parser does): answering while the client is still sending makes many clients see a reset
 * connection instead of the 413, and a drained keep-alive connection stays usable. Node's
 * `server.requestTimeout` bounds how long a client can keep us draining.
 */
export function readRawBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    // Another reader got here first: what it read is gone, and a partial body must never be verified.
    if (req.readableEnded || req.destroyed) {
      reject(new RawBodyError('unreadable-body', 'Request body was already consumed'));
      return;
    }

    const declaredLength = Number(req.headers['content-length']);
    let tooLarge = declaredLength > limitBytes;
    let settled = false;
    let received = 0;
    // Most bodies arrive in one chunk: kept as is, so the common case copies nothing.
    let first: Buffer | undefined;
    let rest: Buffer[] | undefined;

    const fail = (error: RawBodyError) => {
      if (settled) return;
      settled = true;
      first = undefined;
      rest = undefined;
      reject(error);
    };

    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      received += chunk.length;
      if (received > limitBytes) {
        tooLarge = true;
        // Let what we held go now rather than while the rest drains.
        first = undefined;
        rest = undefined;
      } else if (first === undefined) {
        first = chunk;
      } else {
        (rest ??= [first]).push(chunk);
      }
    });
    req.on('end', () => {
      if (settled) return;
      if (tooLarge) {
        fail(new RawBodyError('too-large', `Request body is over ${limitBytes} bytes`));
        return;
      }
      settled = true;
      resolve(rest ? Buffer.concat(rest, received) : (first ?? EMPTY_BODY));
    });
    // An aborted request errors (ECONNRESET) and then closes; either without 'end' means a partial body.
    // Checked before the error is built: 'close' also comes after every body read in full, and an
    // Error's stack trace is not free on a path that runs for every request.
    req.on('error', (error) => {
      if (!settled)
        fail(new RawBodyError('unreadable-body', 'Request body could not be read', { cause: error }));
    });
    req.on('close', () => {
      if (!settled) fail(new RawBodyError('unreadable-body', 'Request body could not be read'));
    });
  });
}
