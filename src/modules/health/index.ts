import { defineModule } from '../../platform/module';
import { createHealthRouter } from './health.route';

/** Liveness, readiness and Prometheus metrics, unsigned, for the platform that runs the service. */
export const healthModule = defineModule<Parameters<typeof createHealthRouter>[0]>({
  name: 'health',
  publicRoutes: createHealthRouter,
});
