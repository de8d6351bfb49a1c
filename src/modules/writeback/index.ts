import type { Clock } from '../../platform/clock';
import { defineModule } from '../../platform/module';
import { createDealWritebackRepository, type DealWritebackRepository } from './deal-writeback.repository';
import { createDealWritebackService, WRITEBACK_FLUSH_INTERVAL_MS } from './deal-writeback.service';

export type { DealWritebackService } from './deal-writeback.service';
export type {
  CompletedWriteback,
  DealWritebackRepository,
  PendingWriteback,
} from './deal-writeback.repository';

declare module '../../platform/db/store' {
  interface StoreRepositories {
    writebacks: DealWritebackRepository;
  }
}

/** The SOP status kept in HubSpot deal properties, so HubSpot's own views and workflows can use it. */
export const writebackModule = defineModule({
  name: 'writeback',
  repositories: (ctx) => ({ writebacks: createDealWritebackRepository(ctx) }),
  create: (deps: Parameters<typeof createDealWritebackService>[0] & { clock: Clock }) => ({
    writeback: createDealWritebackService(deps),
  }),
  // A deal's SOP properties follow its new stage and data: marked here, written by the periodic flush,
  // so draining the inbox never waits for HubSpot writes.
  onDealsChanged:
    ({ writeback }) =>
    (portalId, dealIds, now) =>
      writeback.markDealsChanged(portalId, dealIds, now),
  jobs: ({ writeback, clock }) => [
    // Deals marked by inbox batches and action toggles (neither waits for HubSpot) reach it within seconds.
    {
      name: 'sop-writeback',
      intervalMs: WRITEBACK_FLUSH_INTERVAL_MS,
      deferWhileIntakeBusy: true,
      run: async () => {
        await writeback.flush(clock.now());
      },
    },
  ],
});
