import type { Services } from '../../src/app/services';
import { systemClock } from '../../src/platform/clock';
import { createLogger, silentLogger } from '../../src/platform/observability/logger';
import {
  DRAIN_REST_FACTOR,
  MAX_INTAKE_DEFERRAL_INTERVALS,
  startBackgroundWorkers,
} from '../../src/app/schedule';
import { createIntakeActivity, INTAKE_BUSY_WINDOW_MS, type IntakeActivity } from '../../src/modules/intake';

/** Only what the loops touch: an inbox that reports an empty batch. */
function idleServices(intakeActivity: IntakeActivity = createIntakeActivity()): Services {
  const emptyBatch = { claimed: 0, applied: 0, dropped: 0, retried: 0, parked: 0 };
  return {
    clock: systemClock,
    logger: silentLogger,
    intakeActivity,
    inbox: { processBatch: async () => emptyBatch },
  } as unknown as Services;
}

const waitFor = async (condition: () => boolean, tries = 200) => {
  for (let i = 0; i < tries && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
};

describe('background workers', () => {
  it('keeps running a periodic task after one of its runs failed', async () => {
    let runs = 0;
    const workers = startBackgroundWorkers(idleServices(), {
      enabled: true,
      periodic: [
        {
          name: 'flaky',
          intervalMs: 5,
          run: async () => {
            runs += 1;
            if (runs === 1) throw new Error('first run fails');
          },
        },
      ],
    });
    await waitFor(() => runs >= 3);
    await workers.stop();
    expect(runs).toBeGreaterThanOrEqual(3);
  });

  it('stop waits for every task in flight, not only the last one started', async () => {
    const finished: string[] = [];
    let started = 0;
    const slowTask = (name: string) => ({
      name,
      intervalMs: 5,
      run: async () => {
        started += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
        finished.push(name);
      },
    });
    const workers = startBackgroundWorkers(idleServices(), {
      enabled: true,
      periodic: [slowTask('a'), slowTask('b')],
    });
    await waitFor(() => started >= 2);
    await workers.stop();
    expect(finished.sort()).toEqual(['a', 'b']);
  });

  it('puts off a deferrable task while webhooks arrive, by a few intervals at most; others run', async () => {
    const intakeActivity = createIntakeActivity();
    const runsAt: Record<string, number[]> = { deferred: [], prompt: [] };
    const startedAt = performance.now();
    const task = (name: string, deferWhileIntakeBusy: boolean) => ({
      name,
      intervalMs: 400,
      deferWhileIntakeBusy,
      run: async () => void runsAt[name]!.push(performance.now() - startedAt),
    });
    // HubSpot sends a webhook every 50 ms for 2.5 s, then stops.
    intakeActivity.noteRequest();
    const sending = setInterval(() => intakeActivity.noteRequest(), 50);
    setTimeout(() => clearInterval(sending), 2_500);
    const workers = startBackgroundWorkers(idleServices(intakeActivity), {
      enabled: true,
      periodic: [task('deferred', true), task('prompt', false)],
    });
    try {
      await waitFor(() => performance.now() - startedAt > 4_000, 60);
    } finally {
      clearInterval(sending);
      await workers.stop();
    }
    // The other task kept its interval during the burst.
    expect(runsAt.prompt!.filter((at) => at < 2_500).length).toBeGreaterThanOrEqual(4);
    // The deferrable one ran during the burst only once it was overdue (3 intervals, 1.2 s, each time),
    const during = runsAt.deferred!.filter((at) => at < 2_500);
    expect(during.length).toBeGreaterThanOrEqual(1);
    expect(during.length).toBeLessThanOrEqual(2);
    expect(during[0]).toBeGreaterThanOrEqual(400 * MAX_INTAKE_DEFERRAL_INTERVALS - 50);
    // and at its own pace again once the webhooks stopped.
    expect(runsAt.deferred!.filter((at) => at > 2_500).length).toBeGreaterThanOrEqual(2);
  });

  it('the inbox drain rests between batches while webhooks arrive, and drains back to back once they stop', async () => {
    const intakeActivity = createIntakeActivity();
    const batchesAt: number[] = [];
    const startedAt = performance.now();
    const BATCH_MS = 100;
    const services = {
      clock: systemClock,
      logger: silentLogger,
      intakeActivity,
      inbox: {
        // A backlog that never empties: every batch claims something and takes 100 ms.
        processBatch: async () => {
          batchesAt.push(performance.now() - startedAt);
          await new Promise((resolve) => setTimeout(resolve, BATCH_MS));
          return { moved: 1, claimed: 1, applied: 1, dropped: 0, retried: 0, parked: 0 };
        },
      },
    } as unknown as Services;
    // HubSpot sends a webhook every 50 ms for 2.5 s, then stops.
    intakeActivity.noteRequest();
    const sending = setInterval(() => intakeActivity.noteRequest(), 50);
    setTimeout(() => clearInterval(sending), 2_500);
    const workers = startBackgroundWorkers(services, { enabled: true });
    try {
      await waitFor(() => performance.now() - startedAt > 4_000, 60);
    } finally {
      clearInterval(sending);
      await workers.stop();
    }
    // During the burst each batch is followed by a rest of DRAIN_REST_FACTOR times its length,
    const during = batchesAt.filter((at) => at < 2_500);
    for (let index = 1; index < during.length; index += 1) {
      expect(during[index]! - during[index - 1]!).toBeGreaterThanOrEqual(
        (1 + DRAIN_REST_FACTOR) * BATCH_MS - 20,
      );
    }
    expect(during.length).toBeLessThanOrEqual(Math.ceil(2_500 / ((1 + DRAIN_REST_FACTOR) * BATCH_MS)));
    // the rest ends once the webhooks stop (the intake counts as busy for 500 ms after the last one),
    const after = batchesAt.filter((at) => at >= 2_500);
    expect(after[0]).toBeLessThan(2_500 + INTAKE_BUSY_WINDOW_MS + 300);
    // and then the batches follow each other.
    expect(after.filter((at) => at < 4_000).length).toBeGreaterThanOrEqual(6);
  });

  it('runs nothing when disabled', async () => {
    let runs = 0;
    const workers = startBackgroundWorkers(idleServices(), {
      enabled: false,
      periodic: [{ name: 'never', intervalMs: 1, run: async () => void (runs += 1) }],
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await workers.stop();
    expect(runs).toBe(0);
  });
});

describe('background workers during an outage', () => {
  it('log the first failure of a streak, leave out the repeats, and say when the loop recovers', async () => {
    const lines: Array<{ message: string; failures?: number }> = [];
    let calls = 0;
    const emptyBatch = { claimed: 0, moved: 0, applied: 0, dropped: 0, retried: 0, parked: 0 };
    const services = {
      clock: systemClock,
      logger: createLogger('info', (line) => lines.push(JSON.parse(line) as { message: string })),
      inbox: {
        processBatch: async () => {
          calls += 1;
          // The database is down for the first four ticks (which must not spin: a second apart at least).
          if (calls <= 4) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
          return emptyBatch;
        },
      },
    } as unknown as Services;
    const workers = startBackgroundWorkers(services, { enabled: true });
    try {
      await waitFor(() => calls > 5, 100);
    } finally {
      await workers.stop();
    }
    expect(lines.map((line) => line.message)).toEqual(['inbox failed', 'inbox recovered']);
    expect(lines[1]).toMatchObject({ failures: 4 });
  });
});
