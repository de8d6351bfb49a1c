import type { Clock } from '../../platform/clock';
import { createDealSnoozeService } from './deal-snooze.service';
import { snoozeUserEmailMigration } from './0005-snooze-user-email.migration';
import { defineModule } from '../../platform/module';
import { createSnoozeRouter } from './snooze.route';
import { createSnoozeRepository, type SnoozeRepository } from './snooze.repository';

export type { DealSnoozeService } from './deal-snooze.service';
export { toSnooze, type AddSnoozeInput, type Snooze, type SnoozeRepository } from './snooze.repository';

declare module '../../platform/db/store' {
  interface StoreRepositories {
    snoozes: SnoozeRepository;
  }
}

/** A rep pauses a deal's stall warning and reminders until a date, saying why. */
export const snoozesModule = defineModule({
  name: 'snoozes',
  migrations: { '0005-snooze-user-email': snoozeUserEmailMigration },
  repositories: (ctx) => ({ snoozes: createSnoozeRepository(ctx) }),
  create: (deps: Parameters<typeof createDealSnoozeService>[0] & { clock: Clock }) => ({
    dealSnoozes: createDealSnoozeService(deps),
  }),
  routes: createSnoozeRouter,
});
