import { createAssociationsApi, type AssociationsApi } from './associations.api';
import { createDealsApi, type DealsApi } from './deals.api';
import type { HubSpotTransport } from './hubspot-transport';
import { createNotesApi, type NotesApi } from './notes.api';
import { createOwnersApi, type OwnersApi } from './owners.api';
import { createPipelinesApi, type PipelineCacheOptions, type PipelinesApi } from './pipelines.api';
import { createPropertiesApi, type PropertiesApi } from './properties.api';
import { createTasksApi, type TasksApi } from './tasks.api';
import { createUsersApi, type UsersApi } from './users.api';

/**
 * The HubSpot resources the app works with, built once over one transport (so they share its
 * per-portal clients and rate budget). A consumer takes only the ones it uses:
 * `hubspot: Pick<HubSpotApis, 'deals' | 'associations'>`. The account resource is not here: only
 * start-up reads it, with the static token (modules/portals/static-installation.ts).
 */
export interface HubSpotApis {
  pipelines: PipelinesApi;
  deals: DealsApi;
  associations: AssociationsApi;
  properties: PropertiesApi;
  tasks: TasksApi;
  notes: NotesApi;
  users: UsersApi;
  owners: OwnersApi;
}

export function createHubSpotApis(
  transport: HubSpotTransport,
  options: { pipelineCache?: PipelineCacheOptions } = {},
): HubSpotApis {
  return {
    pipelines: createPipelinesApi(transport, options.pipelineCache),
    deals: createDealsApi(transport),
    associations: createAssociationsApi(transport),
    properties: createPropertiesApi(transport),
    tasks: createTasksApi(transport),
    notes: createNotesApi(transport),
    users: createUsersApi(transport),
    owners: createOwnersApi(transport),
  };
}
