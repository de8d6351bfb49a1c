import { defineModule } from '../../platform/module';
import { createManagerAccess } from './manager-access.service';

export type { ManagerAccess } from './manager-access.service';

/** Who counts as a manager: the portal's super admins and MANAGER_USER_IDS. */
export const accessModule = defineModule({
  name: 'access',
  create: (
    deps: Omit<Parameters<typeof createManagerAccess>[0], 'managerUserIds'> & {
      config: { managerUserIds: readonly string[] };
    },
  ) => ({
    managerAccess: createManagerAccess({ ...deps, managerUserIds: deps.config.managerUserIds }),
  }),
});
