import { defineModule } from '../../platform/module';
import { createOAuthRouter, type OAuthRouteDeps } from './oauth.route';

/** The OAuth install flow's routes, after the deals module: a new installation's deals are backfilled. */
export const installationsModule = defineModule<OAuthRouteDeps>({
  name: 'installations',
  publicRoutes: createOAuthRouter,
});
