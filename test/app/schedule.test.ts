import type { Services } from '../../src/app/services';
import { systemClock } from '../../src/platform/clock';
import { silentLogger } from '../../src/platform/observability/logger';
import { startBackgroundWorkers } from '../../src/app/schedule';

/** Only what the loops touch: an inbox that reports an empty batch. */
function idleServices(): Services {
  const emptyBatch = { claimed: 0, applied: 0, dropped: 0, retried: 0, parked: 0 };
  return {
    clock: systemClock,
    logger: silentLogger,
    inbox: { processBatch: async () => emptyBatch },
  } as unknown as Services;
}

const waitFor = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
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
