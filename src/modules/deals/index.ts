import { defineModule } from '../../platform/module';
import { backfillCommand, type BackfillDeps } from './backfill.command';

export { backfillPortal } from './backfill.command';
import { createDealSyncService } from './deal-sync.service';
import { createDealRepository, type DealRepository } from './deal.repository';
import { createStageChangeRepository, type StageChangeRepository } from './stage-change.repository';

export type { DealSyncResult, DealSyncService } from './deal-sync.service';
export { createDealRepository } from './deal.repository';
export type {
  DealRecord,
  DealWriteOutcome,
  DealWriteResult,
  DealRepository,
  StageEntryCursor,
  StageEntryPage,
  StallCandidate,
} from './deal.repository';
export {
  toStageChange,
  type StageChange,
  type StageEntryChange,
  type RecordStageChangeInput,
  type StageChangeRepository,
} from './stage-change.repository';

declare module '../../platform/db/store' {
  interface StoreRepositories {
    deals: DealRepository;
    stageChanges: StageChangeRepository;
  }
}

/** The local projection of HubSpot's deals (what webhooks and reads keep current) and its history. */
export const dealsModule = defineModule({
  name: 'deals',
  repositories: (ctx) => ({
    deals: createDealRepository(ctx),
    stageChanges: createStageChangeRepository(ctx),
  }),
  create: (deps: Parameters<typeof createDealSyncService>[0] & BackfillDeps) => ({
    dealSync: createDealSyncService(deps),
  }),
  commands: [backfillCommand],
});
