/**
 * The one error a HubSpot call throws (from the transport or a resource module), after the
 * transport's retries are exhausted or when retrying cannot help. Callers branch on `retryable` (try
 * again later, e.g. next sweep) and `outcomeUnknown` (a create may have happened: reconcile before
 * creating again). The message never carries a token.
 */
export interface HubSpotErrorDetails {
  /** HTTP status HubSpot answered; 0 when no answer arrived (timeout, network). */
  status: number;
  /** HubSpot's category (VALIDATION_ERROR, OBJECT_NOT_FOUND, RATE_LIMITS...) or one of ours (TIMEOUT, NETWORK_ERROR, INVALID_RESPONSE, PORTAL_NOT_CONNECTED). */
  category: string;
  retryable: boolean;
  operation: string;
  portalId: number;
  attempts: number;
  /** True when HubSpot may have done the work although no success came back (a create that timed out). */
  outcomeUnknown: boolean;
  correlationId?: string;
  hubspotMessage?: string;
}

export class HubSpotError extends Error {
  readonly status: number;
  readonly category: string;
  readonly retryable: boolean;
  readonly operation: string;
  readonly portalId: number;
  readonly attempts: number;
  readonly outcomeUnknown: boolean;
  readonly correlationId: string | undefined;
  readonly hubspotMessage: string | undefined;
  /** What a multi-batch write finished before it failed (e.g. tasks created by earlier batches). */
  partialResult: unknown;

  constructor(details: HubSpotErrorDetails) {
    super(
      `HubSpot ${details.operation} failed for portal ${details.portalId} after ${details.attempts} attempt(s): ` +
        `${details.status === 0 ? 'no response' : details.status} ${details.category}` +
        (details.hubspotMessage ? ` - ${details.hubspotMessage}` : ''),
    );
    this.name = 'HubSpotError';
    this.status = details.status;
    this.category = details.category;
    this.retryable = details.retryable;
    this.operation = details.operation;
    this.portalId = details.portalId;
    this.attempts = details.attempts;
    this.outcomeUnknown = details.outcomeUnknown;
    this.correlationId = details.correlationId;
    this.hubspotMessage = details.hubspotMessage;
    this.partialResult = undefined;
  }
}

export function isHubSpotError(value: unknown): value is HubSpotError {
  return value instanceof HubSpotError;
}
