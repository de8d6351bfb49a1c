import type { Clock } from '../../platform/clock';
import type { Store } from '../../platform/db';
import { defineModule } from '../../platform/module';
import { createPortalRegistry, type Installation } from './portal-registry';
import { createPortalRepository, type PortalRepository } from './portal.repository';

export { DEFAULT_TIME_ZONE, type Installation, type PortalRegistry } from './portal-registry';
export type { Portal, PortalRepository, UpsertPortalInput } from './portal.repository';
export { discoverStaticInstallation } from './static-installation';

declare module '../../platform/db/store' {
  interface StoreRepositories {
    portals: PortalRepository;
  }
}

/** Which portals the app is installed in, and each one's token: where tenancy starts. */
export const portalsModule = defineModule({
  name: 'portals',
  repositories: (ctx) => ({ portals: createPortalRepository(ctx) }),
  create: async (deps: { store: Store; clock: Clock; installations: readonly Installation[] }) => ({
    portals: await createPortalRegistry(deps.store, deps.installations, deps.clock.now()),
  }),
});
