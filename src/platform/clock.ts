/** Time comes in as a dependency so that tests, the CLI's `--now` and the demo can set it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that tests and `sweep --now` move by hand. */
export function createFixedClock(start: Date): Clock & { set(at: Date): void; advanceMs(ms: number): void } {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set: (at) => {
      current = new Date(at);
    },
    advanceMs: (ms) => {
      current = new Date(current.getTime() + ms);
    },
  };
}
