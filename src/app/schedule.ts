import { randomUUID } from 'node:crypto';
import type { InboxProcessor } from '../modules/intake';
import type { Clock } from '../platform/clock';
import type { PeriodicTask } from '../platform/module';
import type { Logger } from '../platform/observability/logger';

/**
 * The loops that run beside the HTTP server: the inbox drain (every few hundred milliseconds while
 * idle, back to back while there is a backlog) and the periodic stall sweep. Each tick is isolated: a
 * failure is logged and the loop goes on.
 */
export const INBOX_IDLE_POLL_MS = 200;

export interface BackgroundWorkers {
  readonly workerId: string;
  /** Drains the inbox until it is empty (the demo and tests use it to wait for processing). */
  drainInbox(): Promise<number>;
  stop(): Promise<void>;
}

export function startBackgroundWorkers(
  services: { inbox: InboxProcessor; clock: Clock; logger: Logger },
  options: { enabled: boolean; periodic?: readonly PeriodicTask[] },
): BackgroundWorkers {
  const { inbox, clock, logger } = services;
  const workerId = `worker-${randomUUID()}`;
  let stopped = !options.enabled;
  const timers = new Set<NodeJS.Timeout>();
  // Every loop's tick in flight, so that stop() waits for all of them, not only the last one started.
  const inFlight = new Set<Promise<unknown>>();

  const drainInbox = async () => {
    let applied = 0;
    for (;;) {
      const result = await inbox.processBatch({ workerId, now: clock.now() });
      applied += result.applied;
      if (result.claimed === 0 && result.moved === 0) return applied;
    }
  };

  const schedule = (name: string, delayMs: number, tick: () => Promise<number>) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const run = tick().catch((error: unknown) => {
        logger.error(`${name} failed`, { error });
        return delayMs;
      });
      inFlight.add(run);
      void run.then((next) => {
        inFlight.delete(run);
        schedule(name, next, tick);
      });
    }, delayMs);
    timers.add(timer);
  };

  schedule('inbox', 0, async () => {
    const result = await inbox.processBatch({ workerId, now: clock.now() });
    return result.claimed > 0 || result.moved > 0 ? 0 : INBOX_IDLE_POLL_MS;
  });
  for (const task of options.periodic ?? []) {
    if (task.intervalMs <= 0) continue;
    schedule(task.name, task.intervalMs, async () => {
      await task.run();
      return task.intervalMs;
    });
  }

  return {
    workerId,
    drainInbox,
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all([...inFlight]);
    },
  };
}
