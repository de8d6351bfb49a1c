import { useState } from 'react';
import { createPageRouter, PageRoutes } from '@hubspot/ui-extensions/pages';
import { DemandPage } from './demand-page';
import { ExceptionsPage } from './exceptions-page';
import type { InsightsClient } from './insights-client';
import type { InsightsFiltersResponse } from './insights-response.schema';
import { OutcomesPage } from './outcomes-page';
import { OverviewPage } from './overview-page';
import { Loaded, PagesSetupProvider } from './pages-context';
import { useInsight } from './use-insight';

/** HubSpot's default deal pipeline: shown first when the portal has it. */
const DEFAULT_PIPELINE_ID = 'default';

const PageRouter = createPageRouter(
  <PageRoutes>
    <PageRoutes.IndexRoute component={OverviewPage} />
    <PageRoutes.Route path="/exceptions" component={ExceptionsPage} />
    <PageRoutes.Route path="/outcomes" component={OutcomesPage} />
    <PageRoutes.Route path="/demand" component={DemandPage} />
  </PageRoutes>,
);

function WithViewer({
  client,
  portalId,
  viewer,
}: {
  client: InsightsClient;
  portalId: number;
  viewer: InsightsFiltersResponse;
}) {
  const [pipelineId, choosePipeline] = useState(
    () =>
      viewer.pipelines.find((pipeline) => pipeline.id === DEFAULT_PIPELINE_ID)?.id ??
      viewer.pipelines[0]?.id ??
      DEFAULT_PIPELINE_ID,
  );
  return (
    <PagesSetupProvider value={{ client, portalId, viewer, pipelineId, choosePipeline }}>
      <PageRouter />
    </PagesSetupProvider>
  );
}

/**
 * The managers' dashboard; a rep sees the same pages for their own deals (the service scopes them).
 * Who is looking, and what they may filter by, is asked once.
 */
export function InsightsPages({ client, portalId }: { client: InsightsClient; portalId: number }) {
  const filters = useInsight(() => client.getFilters(), 'filters');
  return (
    <Loaded state={filters}>
      {(viewer) => <WithViewer client={client} portalId={portalId} viewer={viewer} />}
    </Loaded>
  );
}
