import type { Clock } from '../../platform/clock';
import { defineModule } from '../../platform/module';
import { createReminderRepository, type ReminderRepository } from './reminder.repository';
import { createStallSweepService, type StallSweepDeps } from './stall-sweep.service';
import { sweepCommand } from './sweep.command';

export {
  SWEEP_LOCK_NAME,
  SWEEP_PAGE_SIZE,
  type StallSweepService,
  type SweepReport,
} from './stall-sweep.service';
export { formatSweepReport } from './sweep.command';
export {
  type Reminder,
  type ReminderIdentity,
  type RecordReminderIntentInput,
  type ReminderRepository,
} from './reminder.repository';

declare module '../../platform/db/store' {
  interface StoreRepositories {
    reminders: ReminderRepository;
  }
}

/** Stalled deals get a HubSpot task for the owner, then an escalation to the manager; never twice. */
export const remindersModule = defineModule({
  name: 'reminders',
  repositories: (ctx) => ({ reminders: createReminderRepository(ctx) }),
  create: (
    deps: Omit<StallSweepDeps, 'managerOwnerId' | 'owners' | 'pageSize'> & {
      clock: Clock;
      config: { managerOwnerId: string | null; sweepIntervalSeconds: number };
    },
  ) => ({ reminders: createStallSweepService({ ...deps, managerOwnerId: deps.config.managerOwnerId }) }),
  // A deal that entered another stage no longer needs the reminder tasks of the stage it left.
  onDealsChanged:
    ({ reminders }) =>
    async (portalId, dealIds, now) => {
      await reminders.completeRemindersOfMovedDeals(portalId, dealIds, now);
    },
  jobs: ({ reminders, clock, config }) => [
    {
      name: 'stall-sweep',
      // SWEEP_INTERVAL_SECONDS=0 turns the timer off (the CLI's `sweep` still runs one by hand).
      intervalMs: config.sweepIntervalSeconds * 1000,
      run: async () => {
        await reminders.sweep({ now: clock.now() });
      },
    },
  ],
  commands: [sweepCommand],
});
