import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkWebhookBatch } from './hubspot-event.schema';
import type { ReceivedDealEvent, RefusedElement, WebhookIssue } from './hubspot-event.schema';
import { HTTP_STATUS_BY_WEBHOOK_ERROR_CODE, sendError } from './http-error';
import type { WebhookErrorCode } from './http-error';
import { readSignedBody, type SignedRequestRejectionReason } from './signed-body';

/**
 * HubSpot's webhook target, served by a plain node:http handler rather than an express route: with
 * batches of 100 events, going through express cost about half of the intake's throughput (measured:
 * ~115k events/s inside express against ~225k for the same work in a bare handler).
 */
export const WEBHOOK_PATH = '/webhooks/hubspot';

const WEBHOOK_PATH_WITH_QUERY = `${WEBHOOK_PATH}?`;

/**
 * Whether a request is for the webhook intake: POST to exactly WEBHOOK_PATH, any query string. It
 * runs for every request the server gets, so it compares strings and parses no URL.
 */
export function isWebhookIntakeRequest(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url;
  return url === WEBHOOK_PATH || (url !== undefined && url.startsWith(WEBHOOK_PATH_WITH_QUERY));
}

export interface VerifiedWebhookBatch {
  /**
   * The valid elements as a JSON array: the body exactly as received (decoded as UTF-8) when every
   * element is valid, else those elements re-serialised.
   */
  text: string;
  /** The valid elements as parsed (every one passed the envelope check). */
  elements: readonly unknown[];
  /**
   * The deal events among them, as received (valid: they passed the event schema). The intake stores
   * the batch as it came; the events are normalised when the journal is moved into the inbox.
   */
  dealEvents: readonly ReceivedDealEvent[];
  /** The elements that are not valid events, each with why: kept for operators, never applied. */
  refused: readonly RefusedWebhookElement[];
  /** When the request arrived, epoch milliseconds. */
  receivedAt: number;
}

export interface RefusedWebhookElement {
  element: unknown;
  /** What is wrong with it, naming each bad path. */
  reason: string;
}

/**
 * Stores the batch durably and resolves only once it is committed: `stored` = deal events kept,
 * `ignored` = deal events left out on purpose (a portal without an installation).
 */
export type StoreBatch = (batch: VerifiedWebhookBatch) => Promise<{ stored: number; ignored: number }>;

/** `failed`: something unexpected went wrong before the answer; HubSpot was told 503 and will retry. */
export type WebhookBatchOutcome = 'stored' | 'rejected' | 'store-failed' | 'failed';

export interface WebhookBatchStats {
  outcome: WebhookBatchOutcome;
  status: number;
  /** Elements in the batch; 0 when it was refused before it could be read. */
  received: number;
  stored: number;
  ignored: number;
  /** Elements refused one by one (the rest of their batch was stored); received = stored + ignored + refused. */
  refused: number;
  /** Why a batch was refused: a body/signature reason, or 'invalid-batch'. */
  reason?: SignedRequestRejectionReason | 'invalid-batch';
  /** What storeBatch (or, for `failed`, the intake) threw, for the caller's (redacting) logger. */
  error?: unknown;
}

export interface WebhookIntakeOptions {
  clientSecret: string;
  /** The origin HubSpot calls (PUBLIC_BASE_URL): the signed uri starts with it, not with our Host header. */
  publicBaseUrl: string;
  /** Epoch milliseconds. */
  clock: () => number;
  storeBatch: StoreBatch;
  /** Called after each answer (never before), for metrics and logs; its failures are swallowed. */
  onBatch?: (stats: WebhookBatchStats) => void;
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * `POST /webhooks/hubspot`, in the order that keeps unauthenticated bytes from costing us anything:
 * the raw body with a 1 MB limit (413), the v3 signature over those exact bytes (401), UTF-8 and
 * JSON (400), a JSON array of 1 to 1000 elements (400), each event checked (a bad one is refused
 * alone, kept with its reason), the batch stored, and only then 200 `{received, stored, ignored,
 * refused}`. Storing is the only work before the ack: HubSpot retries on 5xx and timeouts, so a batch
 * acknowledged but not stored would be lost for good.
 *
 * This is the hot path: everything per handler is built here once, and a request allocates no closure
 * of ours beyond what reading its body needs.
 */
export function createWebhookIntakeHandler(
  options: WebhookIntakeOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { clientSecret, publicBaseUrl, clock, storeBatch, onBatch } = options;

  const report = (stats: WebhookBatchStats): void => {
    if (!onBatch) return;
    try {
      onBatch(stats);
    } catch {
      // Observability must never change what HubSpot was told.
    }
  };

  const refuse = (
    res: ServerResponse,
    code: WebhookErrorCode,
    reason: SignedRequestRejectionReason | 'invalid-batch',
    message: string,
    received: number,
    details?: unknown,
  ): void => {
    sendError(res, code, message, details);
    report({
      outcome: 'rejected',
      status: HTTP_STATUS_BY_WEBHOOK_ERROR_CODE[code],
      received,
      stored: 0,
      ignored: 0,
      refused: 0,
      reason,
    });
  };

  const failUnexpectedly = (res: ServerResponse, error: unknown): void => {
    // A rejection left unhandled would end the process; HubSpot hears 5xx and retries instead.
    if (!res.headersSent) sendError(res, 'UNAVAILABLE', 'The batch could not be taken; retry later');
    else res.destroy();
    report({ outcome: 'failed', status: 503, received: 0, stored: 0, ignored: 0, refused: 0, error });
  };

  // The whole of a request's work: one async function with its own catch-all, so a request costs no
  // extra promise or closure for error handling.
  const intake = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      // One reading of the clock: when the batch arrived, and what the signature's age is measured
      // against (HubSpot signed it before sending, so arrival is the fairer instant anyway).
      const receivedAt = clock();

      const signed = await readSignedBody(req, {
        clientSecret,
        publicBaseUrl,
        pathAndQuery: req.url ?? '/',
        nowMs: receivedAt,
        emptyBody: 'refused',
      });
      if (!signed.ok) {
        refuse(res, signed.code, signed.reason, signed.message, 0);
        return;
      }
      const { text, json } = signed;

      const batch = checkWebhookBatch(json);
      if (!batch.ok) {
        // Not a batch at all (not an array, empty, too long): nothing in it can be told apart to keep.
        const received = Array.isArray(json) ? json.length : 0;
        refuse(res, 'BAD_REQUEST', 'invalid-batch', describeIssues(batch.issues), received, {
          issues: batch.issues,
        });
        return;
      }
      // A valid batch is a JSON array (checkWebhookBatch checked it).
      const elements = json as unknown[];
      const received = elements.length;
      const refused = batch.refused.length;
      const valid = refused === 0 ? elements : validElementsOf(elements, batch.refused);

      let stored = 0;
      let ignored = batch.ignored;
      // A batch of ignored types only has nothing to store, and is still acknowledged.
      if (batch.dealEvents.length > 0 || refused > 0) {
        try {
          const outcome = await storeBatch({
            text: refused === 0 ? text : JSON.stringify(valid),
            elements: valid,
            dealEvents: batch.dealEvents,
            refused: batch.refused.map((each) => ({
              element: each.element,
              reason: listIssues(each.issues),
            })),
            receivedAt,
          });
          stored = outcome.stored;
          ignored += outcome.ignored;
        } catch (error) {
          // 503 makes HubSpot retry; a 2xx here would drop the batch. What failed stays in our logs.
          sendError(res, 'UNAVAILABLE', 'The batch could not be stored; retry later');
          report({ outcome: 'store-failed', status: 503, received, stored: 0, ignored, refused, error });
          return;
        }
      }

      // 200 even with refused elements: HubSpot retries only 5xx and timeouts, and would redeliver a
      // refused element unchanged, so a 4xx would only turn the valid ones into failures in its logs.
      // Written by hand: four integers need no JSON.stringify, and ASCII's length is its byte length.
      const body = `{"received":${received},"stored":${stored},"ignored":${ignored},"refused":${refused}}`;
      res.writeHead(200, { 'content-type': JSON_CONTENT_TYPE, 'content-length': body.length });
      res.end(body);
      report({ outcome: 'stored', status: 200, received, stored, ignored, refused });
    } catch (error) {
      failUnexpectedly(res, error);
    }
  };

  return (req, res) => {
    void intake(req, res);
  };
}

function validElementsOf(elements: readonly unknown[], refused: readonly RefusedElement[]): unknown[] {
  const refusedIndexes = new Set(refused.map((each) => each.index));
  return elements.filter((_, index) => !refusedIndexes.has(index));
}

const MAX_ISSUES_IN_MESSAGE = 3;

function describeIssues(issues: WebhookIssue[]): string {
  return `Invalid webhook batch: ${listIssues(issues)}`;
}

/** `[3].propertyValue: Expected ...; [3].portalId: ...`: at most MAX_ISSUES_IN_MESSAGE, then a count. */
function listIssues(issues: WebhookIssue[]): string {
  const listed = issues
    .slice(0, MAX_ISSUES_IN_MESSAGE)
    .map((issue) => `${formatPath(issue.path)}: ${issue.message}`)
    .join('; ');
  const more =
    issues.length > MAX_ISSUES_IN_MESSAGE ? ` (and ${issues.length - MAX_ISSUES_IN_MESSAGE} more)` : '';
  return `${listed}${more}`;
}

/** `[0, 'portalId']` → `[0].portalId`; the root → `(body)`. */
export function formatPath(path: (string | number)[]): string {
  if (path.length === 0) return '(body)';
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`,
    )
    .join('');
}
