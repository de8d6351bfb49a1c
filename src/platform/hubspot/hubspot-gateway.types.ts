import type { AccountDetails } from './account.api';
import type { BatchReadDealsResult, BatchUpdateDealsResult, DealUpdate } from './deals.api';
import type { HubSpotOwner } from './owners.api';
import type { DealPipeline } from './pipelines.api';
import type { DealPropertyGroupSpec, DealPropertySpec, EnsureDealPropertiesResult } from './properties.api';
import type { CompleteTasksResult, CreatedTask, HubSpotTask, NewTask } from './tasks.api';
import type { HubSpotUser } from './users.api';

export type { AccountDetails } from './account.api';
export type {
  BatchReadDealsResult,
  BatchUpdateDealsResult,
  DealUpdate,
  HubSpotDeal,
  PropertyHistoryEntry,
} from './deals.api';
export type { HubSpotOwner } from './owners.api';
export type { DealPipeline, DealPipelineStage } from './pipelines.api';
export type { DealPropertyGroupSpec, DealPropertySpec, EnsureDealPropertiesResult } from './properties.api';
export type { CompleteTasksResult, CreatedTask, HubSpotTask, NewTask, TaskPriority } from './tasks.api';
export type { HubSpotUser } from './users.api';

/**
 * What the app asks of HubSpot, in plain typed data. Everything crossing this boundary was parsed
 * from HubSpot's responses; callers never see SDK model classes.
 */
export interface HubSpotGateway {
  getAccountDetails(portalId: number): Promise<AccountDetails>;
  /** Cached per portal for the TTL; HubSpot pipelines change rarely and are read on every card. */
  getDealPipelines(portalId: number): Promise<DealPipeline[]>;
  getStageLabel(portalId: number, pipelineId: string, stageId: string): Promise<string | null>;
  batchReadDeals(
    portalId: number,
    dealIds: readonly string[],
    properties: readonly string[],
    options?: { propertiesWithHistory?: readonly string[] },
  ): Promise<BatchReadDealsResult>;
  /** Every deal id of the portal, a page (up to 100) at a time: what backfill walks. */
  pageDealIds(portalId: number): AsyncIterable<string[]>;
  /** Number of associated records per deal (0 when none), e.g. contacts per deal. */
  readAssociationCounts(
    portalId: number,
    dealIds: readonly string[],
    toObjectType: string,
  ): Promise<Map<string, number>>;
  batchUpdateDeals(portalId: number, updates: readonly DealUpdate[]): Promise<BatchUpdateDealsResult>;
  ensureDealProperties(
    portalId: number,
    group: DealPropertyGroupSpec,
    properties: readonly DealPropertySpec[],
  ): Promise<EnsureDealPropertiesResult>;
  /**
   * Creates tasks associated with their deals (batches of 100). Not retried after an ambiguous failure
   * (5xx, timeout): the error says `outcomeUnknown`, and the caller reconciles with findTasksByMarker.
   */
  createTasks(portalId: number, tasks: readonly NewTask[]): Promise<CreatedTask[]>;
  searchTasksForDeal(portalId: number, dealId: string): Promise<HubSpotTask[]>;
  /** Tasks whose body contains the marker token. HubSpot's search index lags writes by a few seconds. */
  findTasksByMarker(portalId: number, marker: string): Promise<HubSpotTask[]>;
  completeTasks(portalId: number, taskIds: readonly string[]): Promise<CompleteTasksResult>;
  /** null when the portal has no such user. */
  getUser(portalId: number, userId: string): Promise<HubSpotUser | null>;
  listOwners(portalId: number): Promise<HubSpotOwner[]>;
}
