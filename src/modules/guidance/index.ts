import { defineModule } from '../../platform/module';
import { createGuidanceRouter } from './guidance.route';
import { createGuidanceService } from './guidance.service';

export type { DealGuidanceView, GuidanceService } from './guidance.service';
export {
  loadEvaluationContext,
  withBusinessCalendar,
  type EvaluationContext,
  type JudgingPlaybook,
} from './evaluation-context';

/** The card's data: the SOP step for a deal's stage, its actions, checks, progress and stall status. */
export const guidanceModule = defineModule({
  name: 'guidance',
  create: (
    deps: Parameters<typeof createGuidanceService>[0] & Parameters<typeof createGuidanceRouter>[0],
  ) => ({
    guidance: createGuidanceService(deps),
  }),
  routes: createGuidanceRouter,
});
