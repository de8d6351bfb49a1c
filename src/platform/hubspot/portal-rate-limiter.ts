/**
 * A sliding-window limiter: at most `max` starts in any `windowMs`. HubSpot's burst limit is a rolling
 * window per portal (TEN_SECONDLY_ROLLING), so counting starts in a rolling window is the model that
 * never trips it; grants are handed out in arrival order so no caller starves.
 *
 * Per process: one instance's window. Instances sharing a PostgreSQL database share one budget through
 * createSharedWindowLimiter instead.
 */
export interface RateLimiter {
  acquire(): Promise<void>;
}

export interface SlidingWindowOptions {
  max: number;
  windowMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createSlidingWindowLimiter(options: SlidingWindowOptions): RateLimiter {
  if (!(options.max >= 1) || !(options.windowMs > 0))
    throw new Error('A rate limit needs max >= 1 and windowMs > 0');
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const starts: number[] = [];
  let tail: Promise<void> = Promise.resolve();

  const grant = async () => {
    for (;;) {
      const at = now();
      while (starts.length > 0 && (starts[0] ?? 0) <= at - options.windowMs) starts.shift();
      if (starts.length < options.max) {
        starts.push(at);
        return;
      }
      await sleep((starts[0] ?? at) + options.windowMs - at);
    }
  };

  return {
    acquire() {
      const turn = tail.then(grant);
      tail = turn.catch(() => undefined);
      return turn;
    },
  };
}

/** HubSpot limits a portal's requests in two ways: the burst window, and a lower one for searches. */
export type RateBucket = 'burst' | 'search';

export interface BudgetReservation {
  portalId: number;
  bucket: RateBucket;
  max: number;
  windowMs: number;
  nowMs: number;
  /** Starts wanted. */
  count: number;
  /** How long the caller may take to use them: each is recorded as starting at `nowMs + holdMs`. */
  holdMs: number;
}

/**
 * A portal's budget kept where every instance sees it (PostgreSQL): records up to `count` request starts
 * as far as fewer than `max` are recorded in the rolling window, by any instance; answers how many it
 * granted, and when none, how long to wait before asking again.
 */
export interface SharedRateBudget {
  reserve(request: BudgetReservation): Promise<{ granted: number; waitMs: number }>;
}

export interface SharedWindowOptions {
  portalId: number;
  bucket: RateBucket;
  budget: SharedRateBudget;
  max: number;
  windowMs: number;
  /** Most starts reserved in one round trip to the shared budget. */
  maxBlock: number;
  /** How long reserved starts stay usable here; unused ones are wasted, never carried over. */
  holdMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The sliding window above, its starts kept in the shared budget instead of in this process, taken a
 * block at a time: one round trip to the database serves several requests. It stays honest because a
 * reserved start is recorded as made at the end of its hold, and is used before then or never: every
 * request HubSpot sees in its window was counted in the shared window at that moment. A block's size
 * follows demand: doubled when the last one ran out, else what was used of it, so a quiet instance
 * reserves one start at a time and wastes little of the portal's budget.
 */
export function createSharedWindowLimiter(options: SharedWindowOptions): RateLimiter {
  if (!(options.max >= 1) || !(options.windowMs > 0) || !(options.maxBlock >= 1) || !(options.holdMs > 0))
    throw new Error('A shared rate limit needs max >= 1, windowMs > 0, maxBlock >= 1 and holdMs > 0');
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  let tokens = 0;
  let usableUntil = 0;
  let block = 1;
  let used = 0;
  let tail: Promise<void> = Promise.resolve();

  const grant = async () => {
    for (;;) {
      const at = now();
      if (tokens > 0 && at < usableUntil) {
        tokens -= 1;
        used += 1;
        return;
      }
      block = tokens === 0 && used > 0 ? Math.min(options.maxBlock, block * 2) : Math.max(1, used);
      tokens = 0;
      used = 0;
      const { granted, waitMs } = await options.budget.reserve({
        portalId: options.portalId,
        bucket: options.bucket,
        max: options.max,
        windowMs: options.windowMs,
        nowMs: at,
        count: block,
        holdMs: options.holdMs,
      });
      if (granted > 0) {
        tokens = granted;
        usableUntil = at + options.holdMs;
        continue;
      }
      await sleep(waitMs);
    }
  };

  return {
    acquire() {
      const turn = tail.then(grant);
      tail = turn.catch(() => undefined);
      return turn;
    },
  };
}

/** One limiter per key (portal), created on first use. */
export function createKeyedLimiter(make: (key: number) => RateLimiter): (key: number) => RateLimiter {
  const limiters = new Map<number, RateLimiter>();
  return (key) => {
    let limiter = limiters.get(key);
    if (!limiter) {
      limiter = make(key);
      limiters.set(key, limiter);
    }
    return limiter;
  };
}
