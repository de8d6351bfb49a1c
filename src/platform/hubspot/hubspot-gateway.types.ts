/**
 * What the app asks of HubSpot, in plain typed data. Everything crossing this boundary was parsed
 * from HubSpot's responses; callers never see SDK model classes.
 */
export interface AccountDetails {
  portalId: number;
  timeZone: string;
  companyCurrency: string;
  uiDomain: string;
  dataHostingLocation: string;
  accountType: string;
  utcOffsetMilliseconds: number | null;
}

export interface DealPipelineStage {
  id: string;
  label: string;
  displayOrder: number;
  /** 0..1 win probability from the stage metadata; null when HubSpot has none. */
  probability: number | null;
  isClosed: boolean;
  archived: boolean;
}

export interface DealPipeline {
  id: string;
  label: string;
  displayOrder: number;
  archived: boolean;
  stages: DealPipelineStage[];
}

export interface PropertyHistoryEntry {
  value: string;
  timestamp: Date;
  sourceType: string;
}

export interface HubSpotDeal {
  id: string;
  /** HubSpot property values as strings; a requested property with no value is null. */
  properties: Record<string, string | null>;
  propertiesWithHistory: Record<string, PropertyHistoryEntry[]>;
  createdAt: Date;
  updatedAt: Date;
}

export interface BatchReadDealsResult {
  deals: HubSpotDeal[];
  /** Ids HubSpot does not know (deleted, merged or never existed). */
  missingIds: string[];
}

export interface DealUpdate {
  id: string;
  properties: Record<string, string | null>;
}

export interface BatchUpdateDealsResult {
  updatedIds: string[];
  missingIds: string[];
}

export interface DealPropertyGroupSpec {
  name: string;
  label: string;
  displayOrder?: number;
}

export interface DealPropertySpec {
  name: string;
  label: string;
  type: 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool';
  fieldType: 'text' | 'textarea' | 'number' | 'date' | 'select' | 'radio' | 'checkbox' | 'booleancheckbox';
  description?: string;
  options?: Array<{ label: string; value: string; displayOrder?: number; hidden?: boolean }>;
}

export interface EnsureDealPropertiesResult {
  groupCreated: boolean;
  createdProperties: string[];
}

export type TaskPriority = 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH';

export interface NewTask {
  dealId: string;
  subject: string;
  /** Put the reminder's marker here (one token of letters and digits) so a lost create can be found. */
  body: string;
  dueAt: Date;
  ownerId?: string | null;
  priority?: TaskPriority;
  /** Caller's correlation key, echoed on the created task (HubSpot's objectWriteTraceId). */
  key?: string;
}

export interface HubSpotTask {
  id: string;
  subject: string | null;
  body: string | null;
  status: string | null;
  dueAt: Date | null;
  ownerId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CreatedTask extends HubSpotTask {
  key: string | null;
  dealId: string;
}

export interface CompleteTasksResult {
  completedIds: string[];
  missingIds: string[];
}

/** A note on a deal's timeline (HubSpot's notes engagement, associated with the deal). */
export interface NewDealNote {
  dealId: string;
  /** HubSpot's rich text (HTML). Put a marker token in it so a lost create can be found. */
  body: string;
  /** When the note belongs on the timeline. */
  at: Date;
}

export interface HubSpotUser {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  roleIds: string[];
  primaryTeamId: string | null;
  secondaryTeamIds: string[];
  superAdmin: boolean;
}

export interface HubSpotOwner {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  /** The HubSpot user behind the owner (a different number from the owner id). */
  userId: string | null;
  teams: Array<{ id: string; name: string; primary: boolean }>;
}

export interface HubSpotGateway {
  getAccountDetails(portalId: number): Promise<AccountDetails>;
  /** Cached per portal for the TTL; HubSpot pipelines change rarely and are read on every card. */
  getDealPipelines(portalId: number): Promise<DealPipeline[]>;
  findDealStage(
    portalId: number,
    pipelineId: string,
    stageId: string,
  ): Promise<{ pipeline: DealPipeline; stage: DealPipelineStage } | null>;
  getStageLabel(portalId: number, pipelineId: string, stageId: string): Promise<string | null>;
  forgetDealPipelines(portalId: number): void;
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
  /**
   * Adds a note to the deal's timeline; returns its id. Not retried after an ambiguous failure: the
   * caller looks it up with findNotesByMarker.
   */
  createDealNote(portalId: number, note: NewDealNote): Promise<string>;
  /** Ids of the notes whose body contains the marker token (HubSpot's search lags writes a few seconds). */
  findNotesByMarker(portalId: number, marker: string): Promise<string[]>;
  /** null when the portal has no such user. */
  getUser(portalId: number, userId: string): Promise<HubSpotUser | null>;
  listOwners(portalId: number): Promise<HubSpotOwner[]>;
}
