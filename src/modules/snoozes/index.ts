import { snoozeUserEmailMigration } from './0005-snooze-user-email.migration';
import { defineModule } from '../../platform/module';
import { createSnoozeRouter } from './snooze.route';
import { createSnoozeRepository, type SnoozeRepository } from './snooze.repository';

export { toSnooze, type AddSnoozeInput, type Snooze, type SnoozeRepository } from './snooze.repository';

declare module '../../platform/db/store' {
  interface StoreRepositories {
    snoozes: SnoozeRepository;
  }
}

/** A rep pauses a deal's stall warning and reminders until a date, saying why. */
export const snoozesModule = defineModule<
  Parameters<typeof createSnoozeRouter>[0],
  { snoozes: SnoozeRepository }
>({
  name: 'snoozes',
  migrations: { '0005-snooze-user-email': snoozeUserEmailMigration },
  repositories: (ctx) => ({ snoozes: createSnoozeRepository(ctx) }),
  routes: createSnoozeRouter,
});
