import { Router } from 'express';
import type { Request, Response } from 'express';
import { parseWebhookBatch } from './hubspot-event.schema';
import type { DealEvent, WebhookIssue } from './hubspot-event.schema';
import { sendError } from './http-error';
import { requireSignatureV3 } from './signed-request.middleware';
import type { SignedRequestRejectionReason } from './signed-request.middleware';

export const WEBHOOK_PATH = '/webhooks/hubspot';

export interface StoreEventsResult {
  inserted: number;
  duplicates: number;
}

/**
 * Persists a batch durably (one transaction) and resolves only once it is committed. It is the only
 * work done before the ack: HubSpot retries on 5xx and timeouts, so an event acknowledged but not
 * stored would be lost for good, while processing can happen afterwards from the store.
 */
export type StoreEvents = (events: DealEvent[], meta: { receivedAt: number }) => Promise<StoreEventsResult>;

export type WebhookBatchOutcome = 'stored' | 'rejected' | 'store-failed';

export interface WebhookBatchStats {
  outcome: WebhookBatchOutcome;
  status: number;
  /** Elements in the batch; 0 when it was refused before it could be read. */
  received: number;
  stored: number;
  duplicates: number;
  ignored: number;
  /** Why a batch was refused: a signature/body reason, or 'invalid-batch'. */
  reason?: SignedRequestRejectionReason | 'invalid-batch';
  /** What storeEvents threw, for the caller's (redacting) logger. */
  error?: unknown;
}

export interface WebhookIntakeOptions {
  clientSecret: string;
  publicBaseUrl: string;
  /** Epoch milliseconds. */
  clock: () => number;
  storeEvents: StoreEvents;
  /** Called after each answer (never before), for metrics and logs; its failures are swallowed. */
  onBatch?: (stats: WebhookBatchStats) => void;
}

/**
 * HubSpot's webhook target, `POST /webhooks/hubspot`: v3 signature over the raw bytes, parse, store,
 * and only then 200 `{received, stored, duplicates, ignored}`. Storing is the only work before the
 * ack, keeping well inside HubSpot's few-second budget.
 */
export function createWebhookIntakeRouter(options: WebhookIntakeOptions): Router {
  const { clientSecret, publicBaseUrl, clock, storeEvents, onBatch } = options;

  const report = (
    stats: Omit<WebhookBatchStats, 'stored' | 'duplicates' | 'ignored'> & Partial<WebhookBatchStats>,
  ) => {
    if (!onBatch) return;
    try {
      onBatch({ stored: 0, duplicates: 0, ignored: 0, ...stats });
    } catch {
      // Observability must never change what HubSpot was told.
    }
  };

  const router = Router();

  router.post(
    WEBHOOK_PATH,
    requireSignatureV3({
      clientSecret,
      publicBaseUrl,
      clock,
      onRejected: ({ status, reason }) => report({ outcome: 'rejected', status, received: 0, reason }),
    }),
    async (_req: Request, res: Response) => {
      const receivedAt = clock();
      const json: unknown = res.locals.json;
      const received = Array.isArray(json) ? json.length : 0;

      const batch = parseWebhookBatch(json);
      if (!batch.ok) {
        sendError(res, 'BAD_REQUEST', describeIssues(batch.issues), { issues: batch.issues });
        report({ outcome: 'rejected', status: 400, received, reason: 'invalid-batch' });
        return;
      }

      let result: StoreEventsResult = { inserted: 0, duplicates: 0 };
      // A batch of ignored types only has nothing to store, and is still acknowledged.
      if (batch.events.length > 0) {
        try {
          result = await storeEvents(batch.events, { receivedAt });
        } catch (error) {
          // 503 makes HubSpot retry; a 2xx here would drop the batch.
          sendError(res, 'UNAVAILABLE', 'The batch could not be stored; retry later');
          report({ outcome: 'store-failed', status: 503, received, ignored: batch.ignored, error });
          return;
        }
      }

      const stats = {
        received,
        stored: result.inserted,
        duplicates: result.duplicates,
        ignored: batch.ignored,
      };
      res.status(200).json(stats);
      report({ outcome: 'stored', status: 200, ...stats });
    },
  );

  return router;
}

const MAX_ISSUES_IN_MESSAGE = 3;

function describeIssues(issues: WebhookIssue[]): string {
  const listed = issues
    .slice(0, MAX_ISSUES_IN_MESSAGE)
    .map((issue) => `${formatPath(issue.path)}: ${issue.message}`)
    .join('; ');
  const more =
    issues.length > MAX_ISSUES_IN_MESSAGE ? ` (and ${issues.length - MAX_ISSUES_IN_MESSAGE} more)` : '';
  return `Invalid webhook batch: ${listed}${more}`;
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
