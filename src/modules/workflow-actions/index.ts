import { defineModule } from '../../platform/module';
import { createSopReadinessRouter } from './sop-readiness.route';

/** HubSpot custom workflow actions: "Check SOP readiness", so customers' workflows branch on SOP status. */
export const workflowActionsModule = defineModule<Parameters<typeof createSopReadinessRouter>[0]>({
  name: 'workflow-actions',
  publicRoutes: createSopReadinessRouter,
});
