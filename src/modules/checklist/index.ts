import type { Clock } from '../../platform/clock';
import { defineModule } from '../../platform/module';
import {
  createActionCompletionRepository,
  type ActionCompletionRepository,
} from './action-completion.repository';
import { createDealActionRouter } from './deal-action.route';
import { createDealActionService } from './deal-action.service';

export type { DealActionService } from './deal-action.service';
export {
  toActionCompletion,
  type ActionCompletion,
  type ActionCompletionFilter,
  type ActionCompletionRepository,
  type AppendActionCompletionInput,
  type ScopedActionState,
} from './action-completion.repository';

declare module '../../platform/db/store' {
  interface StoreRepositories {
    actions: ActionCompletionRepository;
  }
}

/** The step's checklist: reps tick and untick required actions, append-only. */
export const checklistModule = defineModule({
  name: 'checklist',
  repositories: (ctx) => ({ actions: createActionCompletionRepository(ctx) }),
  create: (deps: Parameters<typeof createDealActionService>[0] & { clock: Clock }) => ({
    dealActions: createDealActionService(deps),
  }),
  routes: createDealActionRouter,
});
