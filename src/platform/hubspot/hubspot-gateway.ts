import { createAccountApi } from './account.api';
import { createHubSpotApis } from './hubspot-apis';
import type { HubSpotGateway } from './hubspot-gateway.types';
import { createHubSpotTransport, type HubSpotTransportOptions } from './hubspot-transport';

/** The old single door to HubSpot, now a facade over the transport and the resource modules. */
export interface HubSpotGatewayOptions extends HubSpotTransportOptions {
  pipelineCacheTtlMs?: number;
  /** Clock for the pipeline cache. */
  now?: () => number;
}

export function createHubSpotGateway(options: HubSpotGatewayOptions): HubSpotGateway {
  const { pipelineCacheTtlMs, now, ...transportOptions } = options;
  const transport = createHubSpotTransport(transportOptions);
  const account = createAccountApi(transport);
  const apis = createHubSpotApis(transport, {
    pipelineCache: {
      ...(pipelineCacheTtlMs === undefined ? {} : { ttlMs: pipelineCacheTtlMs }),
      ...(now === undefined ? {} : { now }),
    },
  });
  return {
    getAccountDetails: (portalId) => account.getDetails(portalId),
    getDealPipelines: (portalId) => apis.pipelines.getAll(portalId),
    getStageLabel: (portalId, pipelineId, stageId) =>
      apis.pipelines.getStageLabel(portalId, pipelineId, stageId),
    batchReadDeals: (portalId, dealIds, properties, readOptions) =>
      apis.deals.batchRead(portalId, dealIds, properties, readOptions),
    pageDealIds: (portalId) => apis.deals.pageIds(portalId),
    readAssociationCounts: (portalId, dealIds, toObjectType) =>
      apis.associations.countForDeals(portalId, dealIds, toObjectType),
    batchUpdateDeals: (portalId, updates) => apis.deals.batchUpdate(portalId, updates),
    ensureDealProperties: (portalId, group, properties) =>
      apis.properties.ensureDealProperties(portalId, group, properties),
    createTasks: (portalId, tasks) => apis.tasks.create(portalId, tasks),
    searchTasksForDeal: (portalId, dealId) => apis.tasks.searchForDeal(portalId, dealId),
    findTasksByMarker: (portalId, marker) => apis.tasks.findByMarker(portalId, marker),
    completeTasks: (portalId, taskIds) => apis.tasks.complete(portalId, taskIds),
    getUser: (portalId, userId) => apis.users.get(portalId, userId),
    listOwners: (portalId) => apis.owners.list(portalId),
  };
}
