import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import { ErrorState, Flex, LoadingSpinner, Select, Text } from '@hubspot/ui-extensions';
import { PageLink } from '@hubspot/ui-extensions/pages';
import type { InsightsClient } from './insights-client';
import type { InsightsFiltersResponse } from './insights-response.schema';
import type { InsightState } from './use-insight';

/** What every page needs: the service, who is looking (and what they may filter by), the pipeline chosen. */
export interface PagesSetup {
  client: InsightsClient;
  portalId: number;
  viewer: InsightsFiltersResponse;
  pipelineId: string;
  choosePipeline: (pipelineId: string) => void;
}

const PagesContext = createContext<PagesSetup | null>(null);

export const PagesSetupProvider = PagesContext.Provider;

export function usePagesSetup(): PagesSetup {
  const setup = useContext(PagesContext);
  if (!setup) throw new Error('The insights pages need their setup (InsightsPages provides it)');
  return setup;
}

export function Loaded<T>({ state, children }: { state: InsightState<T>; children: (data: T) => ReactNode }) {
  if (state.status === 'loading') return <LoadingSpinner label="Loading the figures" />;
  if (state.status === 'failed') {
    return (
      <ErrorState title="The figures could not be loaded">
        <Text>{state.message}</Text>
      </ErrorState>
    );
  }
  return <>{children(state.data)}</>;
}

export function Navigation() {
  return (
    <Flex direction="row" gap="medium">
      <PageLink to="/">Overview</PageLink>
      <PageLink to="/exceptions">Exceptions</PageLink>
      <PageLink to="/outcomes">Outcomes</PageLink>
      <PageLink to="/demand">Demand</PageLink>
    </Flex>
  );
}

/** The pipeline the figures are for; chosen once, kept across pages. */
export function PipelineSelect() {
  const { viewer, pipelineId, choosePipeline } = usePagesSetup();
  return (
    <Select
      label="Pipeline"
      name="pipeline"
      value={pipelineId}
      onChange={(value) => choosePipeline(String(value))}
      options={viewer.pipelines.map((pipeline) => ({ label: pipeline.label, value: pipeline.id }))}
    />
  );
}

/** HubSpot's own record page of a deal. */
export function dealUrl(portalId: number, dealId: string): string {
  return `https://app.hubspot.com/contacts/${portalId}/record/0-3/${encodeURIComponent(dealId)}`;
}
