/**
 * A sliding-window limiter: at most `max` starts in any `windowMs`. HubSpot's burst limit is a rolling
 * window per portal (TEN_SECONDLY_ROLLING), so counting starts in a rolling window is the model that
 * never trips it; grants are handed out in arrival order so no caller starves.
 *
 * Per process: with several instances each keeps its own window, and the 429 handling of the transport
 * covers the excess.
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

/** One limiter per key (portal), created on first use. */
export function createKeyedLimiter(make: () => RateLimiter): (key: number) => RateLimiter {
  const limiters = new Map<number, RateLimiter>();
  return (key) => {
    let limiter = limiters.get(key);
    if (!limiter) {
      limiter = make();
      limiters.set(key, limiter);
    }
    return limiter;
  };
}
