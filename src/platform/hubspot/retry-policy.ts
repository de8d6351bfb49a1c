/**
 * When to retry a HubSpot call and how long to wait. Pure: the transport feeds it what it saw.
 *
 * - 429 with policy DAILY: retrying today cannot help.
 * - Other 429s: HubSpot refused before doing anything, so even creates are safe to retry; wait
 *   Retry-After when given, else back off within the policy window (1 s for the secondly search limit,
 *   growing up to the ten-secondly window).
 * - 5xx, timeouts, dropped connections: HubSpot may have done the work, so only idempotent calls are
 *   retried (reads, updates that set values); a create reports `outcomeUnknown` instead.
 * - A refused connection never reached HubSpot: safe to retry for everything.
 */
export type FailureKind =
  'http' | 'timeout' | 'network' | 'connection-refused' | 'invalid-response' | 'unexpected';

export interface ObservedFailure {
  kind: FailureKind;
  status: number;
  /** HubSpot's rate-limit policy when known (from the body or the message). */
  policyName?: string;
  retryAfterMs?: number;
  intervalMs?: number;
}

export interface RetryDecision {
  retryable: boolean;
  /** May this very call be retried now (false for non-idempotent calls after an ambiguous failure)? */
  retryNow: boolean;
  outcomeUnknown: boolean;
  delayMs: number;
}

export const SERVER_ERROR_BASE_DELAY_MS = 250;
export const MAX_BACKOFF_MS = 10_000;
const DEFAULT_RATE_WINDOW_MS = 10_000;

export function decideRetry(
  failure: ObservedFailure,
  attempt: number,
  idempotent: boolean,
  random: () => number = Math.random,
): RetryDecision {
  const exponential = (base: number, cap: number) => Math.min(cap, base * 2 ** (attempt - 1));
  if (failure.kind === 'http' && failure.status === 429) {
    if (failure.policyName === 'DAILY')
      return { retryable: false, retryNow: false, outcomeUnknown: false, delayMs: 0 };
    const window = failure.intervalMs ?? DEFAULT_RATE_WINDOW_MS;
    const base =
      failure.retryAfterMs ?? (failure.policyName === 'SECONDLY' ? 1_000 : exponential(1_000, window));
    // A little jitter on top so that callers refused together do not come back together.
    return {
      retryable: true,
      retryNow: true,
      outcomeUnknown: false,
      delayMs: Math.round(base * (1 + 0.2 * random())),
    };
  }
  if (failure.kind === 'connection-refused') {
    return {
      retryable: true,
      retryNow: true,
      outcomeUnknown: false,
      delayMs: Math.round(exponential(SERVER_ERROR_BASE_DELAY_MS, MAX_BACKOFF_MS) * (0.5 + 0.5 * random())),
    };
  }
  const ambiguous =
    failure.kind === 'timeout' ||
    failure.kind === 'network' ||
    (failure.kind === 'http' && failure.status >= 500);
  if (ambiguous) {
    return {
      retryable: true,
      retryNow: idempotent,
      outcomeUnknown: !idempotent,
      delayMs: Math.round(exponential(SERVER_ERROR_BASE_DELAY_MS, MAX_BACKOFF_MS) * (0.5 + 0.5 * random())),
    };
  }
  return { retryable: false, retryNow: false, outcomeUnknown: false, delayMs: 0 };
}
