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

/**
 * A portal's budget kept where every instance sees it (PostgreSQL): records a request start at `nowMs`
 * if fewer than `max` started in the rolling window before it, by any instance; answers 0 when granted,
 * else how long to wait before asking again.
 */
export interface SharedRateBudget {
  take(portalId: number, max: number, windowMs: number, nowMs: number): Promise<number>;
}

export interface SharedWindowOptions {
  portalId: number;
  budget: SharedRateBudget;
  max: number;
  windowMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** The sliding window above, its starts kept in the shared budget instead of in this process. */
export function createSharedWindowLimiter(options: SharedWindowOptions): RateLimiter {
  if (!(options.max >= 1) || !(options.windowMs > 0))
    throw new Error('A rate limit needs max >= 1 and windowMs > 0');
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  return {
    async acquire() {
      for (;;) {
        const waitMs = await options.budget.take(options.portalId, options.max, options.windowMs, now());
        if (waitMs <= 0) return;
        await sleep(waitMs);
      }
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
