import { randomUUID } from 'node:crypto';
import type { InboxProcessor, IntakeActivity } from '../modules/intake';
import type { Clock } from '../platform/clock';
import type { PeriodicTask } from '../platform/module';
import type { Logger } from '../platform/observability/logger';

/**
 * The loops that run beside the HTTP server: the inbox drain (every few hundred milliseconds while
 * idle, back to back while there is a backlog, resting between batches while webhooks arrive) and the
 * periodic jobs. Each tick is isolated: a failure is logged and the loop goes on.
 */
export const INBOX_IDLE_POLL_MS = 200;
/**
 * While HubSpot is sending, the drain rests this many times as long as its last batch took before it
 * takes the next (at most MAX_DRAIN_REST_MS): processing then has about a fifth of the time, and the
 * acknowledgements the event loop and the database the rest of it. Each batch still takes the newest
 * request's events (the fresh lane), so a change sent during a burst shows within a rest and a batch;
 * the backlog is drained once the webhooks stop, and the rest ends as soon as they do.
 */
export const DRAIN_REST_FACTOR = 4;
const MAX_DRAIN_REST_MS = 3_000;
/** While resting, the drain looks this often whether the webhooks have stopped. */
const DRAIN_REST_POLL_MS = 100;
/** While a loop keeps failing, at most one log line this often (plus its first failure and its recovery). */
export const FAILURE_LOG_INTERVAL_MS = 30_000;
/** A failed tick is retried no sooner than this. */
const FAILURE_RETRY_MS = 1000;
/** A task that defers to the intake runs at the latest this many of its intervals after its last run. */
export const MAX_INTAKE_DEFERRAL_INTERVALS = 3;
/** While the intake is busy, a deferred task looks again this soon. */
const INTAKE_DEFERRAL_RETRY_MS = 250;

export interface BackgroundWorkers {
  readonly workerId: string;
  /** Drains the inbox until it is empty (the demo and tests use it to wait for processing). */
  drainInbox(): Promise<number>;
  stop(): Promise<void>;
}

export function startBackgroundWorkers(
  services: { inbox: InboxProcessor; intakeActivity: IntakeActivity; clock: Clock; logger: Logger },
  options: { enabled: boolean; periodic?: readonly PeriodicTask[] },
): BackgroundWorkers {
  const { inbox, intakeActivity, clock, logger } = services;
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

  // A loop failing on every tick (a database outage) logs its first failure, then one line a
  // FAILURE_LOG_INTERVAL_MS with how many it left out, and one when it recovers: not 5 lines a second.
  const failures = new Map<string, { count: number; lastLoggedAt: number; suppressed: number }>();
  const reportFailure = (name: string, error: unknown) => {
    const now = Date.now();
    const streak = failures.get(name);
    if (!streak) {
      failures.set(name, { count: 1, lastLoggedAt: now, suppressed: 0 });
      logger.error(`${name} failed`, { error });
      return;
    }
    streak.count += 1;
    if (now - streak.lastLoggedAt < FAILURE_LOG_INTERVAL_MS) {
      streak.suppressed += 1;
      return;
    }
    logger.error(`${name} failed`, { error, failures: streak.count, suppressed: streak.suppressed });
    streak.lastLoggedAt = now;
    streak.suppressed = 0;
  };

  const schedule = (name: string, delayMs: number, tick: () => Promise<number>) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const run = tick().then(
        (next) => {
          if (failures.get(name)) {
            logger.info(`${name} recovered`, { failures: failures.get(name)!.count });
            failures.delete(name);
          }
          return next;
        },
        (error: unknown) => {
          reportFailure(name, error);
          // Not at once: the inbox loop's next tick is immediate, and an outage would spin it.
          return Math.max(delayMs, FAILURE_RETRY_MS);
        },
      );
      inFlight.add(run);
      void run.then((next) => {
        inFlight.delete(run);
        schedule(name, next, tick);
      });
    }, delayMs);
    timers.add(timer);
  };

  let restUntil = 0;
  /** The next look while resting: the rest's end, or sooner to see whether the webhooks stopped. */
  const restPoll = () => Math.min(DRAIN_REST_POLL_MS, restUntil - performance.now());
  schedule('inbox', 0, async () => {
    if (performance.now() < restUntil && intakeActivity.isBusy()) return restPoll();
    const started = performance.now();
    const result = await inbox.processBatch({ workerId, now: clock.now() });
    if (result.claimed === 0 && result.moved === 0) return INBOX_IDLE_POLL_MS;
    if (!intakeActivity.isBusy()) return 0;
    const tookMs = performance.now() - started;
    restUntil = performance.now() + Math.min(MAX_DRAIN_REST_MS, DRAIN_REST_FACTOR * tookMs);
    return restPoll();
  });
  for (const task of options.periodic ?? []) {
    if (task.intervalMs <= 0) continue;
    let lastRunAt = performance.now();
    schedule(task.name, task.intervalMs, async () => {
      const overdue = performance.now() - lastRunAt >= task.intervalMs * MAX_INTAKE_DEFERRAL_INTERVALS;
      if (task.deferWhileIntakeBusy && intakeActivity.isBusy() && !overdue) return INTAKE_DEFERRAL_RETRY_MS;
      lastRunAt = performance.now();
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
