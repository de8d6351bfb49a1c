// HubSpot's entry point for the app pages (the managers' dashboard): it only wires HubSpot's runtime in.
import { hubspot } from '@hubspot/ui-extensions';
import { createInsightsClient } from './src/insights-client';
import { InsightsPages } from './src/insights-pages';

const client = createInsightsClient(hubspot.fetch);

hubspot.extend<'pages'>(({ context }) => <InsightsPages client={client} portalId={context.portal.id} />);
