/**
 * The data behind the local HubSpot: portals with their token, pipelines, deals, tasks, owners, users,
 * custom deal properties and associations. Tests and the demo arrange it directly through these
 * helpers (no HTTP), then let the real @hubspot/api-client read and write it over HTTP.
 *
 * Values are kept the way HubSpot keeps them: every CRM property is a string (or null), datetimes are
 * ISO-8601 strings, ids are numeric strings, and HubSpot's calculated properties (stage timing,
 * hs_lastmodifieddate, hs_object_id) are maintained on every write.
 */
import { LocalHubSpotOAuth } from './local-hubspot.oauth';

export type CrmObjectType =
  | 'deals'
  | 'tasks'
  | 'contacts'
  | 'companies'
  | 'notes'
  | 'calls'
  | 'emails'
  | 'meetings'
  | 'line_items'
  | 'tickets';

/** HubSpot accepts the plural, the singular and the object type id in paths and association calls. */
const OBJECT_TYPE_ALIASES: Record<string, CrmObjectType> = {
  deals: 'deals',
  deal: 'deals',
  '0-3': 'deals',
  tasks: 'tasks',
  task: 'tasks',
  '0-27': 'tasks',
  contacts: 'contacts',
  contact: 'contacts',
  '0-1': 'contacts',
  companies: 'companies',
  company: 'companies',
  '0-2': 'companies',
  notes: 'notes',
  note: 'notes',
  '0-46': 'notes',
  calls: 'calls',
  call: 'calls',
  '0-48': 'calls',
  emails: 'emails',
  email: 'emails',
  '0-49': 'emails',
  meetings: 'meetings',
  meeting: 'meetings',
  '0-47': 'meetings',
  line_items: 'line_items',
  line_item: 'line_items',
  '0-8': 'line_items',
  tickets: 'tickets',
  ticket: 'tickets',
  '0-5': 'tickets',
};

export function normalizeObjectType(raw: string): CrmObjectType | null {
  return OBJECT_TYPE_ALIASES[raw.toLowerCase()] ?? null;
}

/** Singular names as HubSpot writes them in association error messages ("No company is associated with deal 1."). */
export const SINGULAR_NAME: Record<CrmObjectType, string> = {
  deals: 'deal',
  tasks: 'task',
  contacts: 'contact',
  companies: 'company',
  notes: 'note',
  calls: 'call',
  emails: 'email',
  meetings: 'meeting',
  line_items: 'line_item',
  tickets: 'ticket',
};

/**
 * HubSpot-defined association type ids (HUBSPOT_DEFINED category), from HubSpot's published table.
 * Keyed `from->to`; the reverse direction has its own id.
 */
export const ASSOCIATION_TYPE_IDS: Readonly<Record<string, number>> = {
  'deals->contacts': 3,
  'contacts->deals': 4,
  'deals->companies': 341,
  'companies->deals': 342,
  'deals->line_items': 19,
  'line_items->deals': 20,
  'deals->tickets': 27,
  'tickets->deals': 28,
  'deals->calls': 205,
  'calls->deals': 206,
  'deals->emails': 209,
  'emails->deals': 210,
  'deals->meetings': 211,
  'meetings->deals': 212,
  'deals->notes': 213,
  'notes->deals': 214,
  'deals->tasks': 215,
  'tasks->deals': 216,
  'tasks->contacts': 204,
  'contacts->tasks': 203,
  'tasks->companies': 192,
  'companies->tasks': 191,
};

export const TASK_TO_DEAL_ASSOCIATION_TYPE_ID = 216;

export interface PropertyHistoryEntry {
  value: string;
  timestamp: string;
  sourceType: string;
}

export interface FakeCrmObject {
  id: string;
  properties: Record<string, string | null>;
  /** Newest first, as HubSpot returns propertiesWithHistory. */
  history: Record<string, PropertyHistoryEntry[]>;
  createdAt: Date;
  updatedAt: Date;
  archived: boolean;
}

export interface FakePipelineStage {
  id: string;
  label: string;
  displayOrder: number;
  probability: number;
  isClosed: boolean;
}

export interface FakePipeline {
  id: string;
  label: string;
  displayOrder: number;
  stages: FakePipelineStage[];
  createdAt: Date;
  updatedAt: Date;
}

export interface FakeTeam {
  id: string;
  name: string;
  primary: boolean;
}

export interface FakeOwner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  teams: FakeTeam[];
  archived: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface FakeUser {
  id: string;
  email: string;
  firstName?: string;
  lastName?: string;
  roleIds: string[];
  primaryTeamId?: string;
  secondaryTeamIds: string[];
  superAdmin: boolean;
}

export interface FakePropertyOption {
  label: string;
  value: string;
  displayOrder?: number;
  hidden: boolean;
  description?: string;
}

export interface FakeProperty {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  description: string;
  options: FakePropertyOption[];
  displayOrder: number;
  hubspotDefined: boolean;
  calculated: boolean;
  hasUniqueValue: boolean;
  hidden: boolean;
  formField: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface FakePropertyGroup {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

export interface FakeAssociation {
  fromType: CrmObjectType;
  fromId: string;
  toType: CrmObjectType;
  toId: string;
  typeId: number;
}

export interface FakePortal {
  portalId: number;
  token: string;
  timeZone: string;
  companyCurrency: string;
  uiDomain: string;
  dataHostingLocation: string;
  accountType: string;
  dealPipelines: FakePipeline[];
  objects: Record<CrmObjectType, Map<string, FakeCrmObject>>;
  owners: FakeOwner[];
  users: FakeUser[];
  /** Custom deal properties and groups; HubSpot's built-in ones are answered from DEFAULT_DEAL_PROPERTIES. */
  dealProperties: Map<string, FakeProperty>;
  dealPropertyGroups: Map<string, FakePropertyGroup>;
  associations: FakeAssociation[];
}

export interface AddPortalInput {
  portalId: number;
  token: string;
  timeZone?: string;
  companyCurrency?: string;
  uiDomain?: string;
  dataHostingLocation?: string;
  accountType?: string;
}

export interface UpsertDealInput {
  id?: string;
  properties: Record<string, string | number | null | undefined>;
  createdAt?: Date;
}

/** HubSpot's built-in deal property groups (the ones a portal always has). */
const DEFAULT_DEAL_GROUPS: ReadonlyArray<Omit<FakePropertyGroup, 'archived'>> = [
  { name: 'dealinformation', label: 'Deal information', displayOrder: 0 },
  { name: 'deal_activity', label: 'Deal activity', displayOrder: 1 },
  { name: 'dealstages', label: 'Deal stage properties', displayOrder: 2 },
];

/** The built-in deal properties the app and the sample data read: [name, label, type, fieldType, group]. */
const DEFAULT_DEAL_PROPERTY_ROWS: ReadonlyArray<readonly [string, string, string, string, string]> = [
  ['dealname', 'Deal Name', 'string', 'text', 'dealinformation'],
  ['amount', 'Amount', 'number', 'number', 'dealinformation'],
  ['closedate', 'Close Date', 'datetime', 'date', 'dealinformation'],
  ['pipeline', 'Pipeline', 'enumeration', 'select', 'dealinformation'],
  ['dealstage', 'Deal Stage', 'enumeration', 'radio', 'dealinformation'],
  ['dealtype', 'Deal Type', 'enumeration', 'radio', 'dealinformation'],
  ['description', 'Deal Description', 'string', 'textarea', 'dealinformation'],
  ['hubspot_owner_id', 'Deal owner', 'enumeration', 'select', 'dealinformation'],
  ['hs_priority', 'Priority', 'enumeration', 'select', 'dealinformation'],
  ['hs_next_step', 'Next step', 'string', 'textarea', 'dealinformation'],
  ['createdate', 'Create Date', 'datetime', 'date', 'dealinformation'],
  ['hs_lastmodifieddate', 'Last Modified Date', 'datetime', 'date', 'dealinformation'],
  ['hs_object_id', 'Record ID', 'number', 'number', 'dealinformation'],
  ['hs_deal_stage_probability', 'Deal probability', 'number', 'number', 'dealinformation'],
  ['hs_is_closed', 'Is Deal Closed?', 'bool', 'booleancheckbox', 'dealinformation'],
  ['hs_is_closed_won', 'Is closed won', 'bool', 'booleancheckbox', 'dealinformation'],
  ['num_associated_contacts', 'Number of Contacts', 'number', 'number', 'deal_activity'],
  ['notes_last_updated', 'Last Activity Date', 'datetime', 'date', 'deal_activity'],
  ['notes_last_contacted', 'Last Contacted', 'datetime', 'date', 'deal_activity'],
  ['notes_next_activity_date', 'Next Activity Date', 'datetime', 'date', 'deal_activity'],
  ['hs_last_sales_activity_timestamp', 'Last Engagement Date', 'datetime', 'date', 'deal_activity'],
  ['num_notes', 'Number of Sales Activities', 'number', 'number', 'deal_activity'],
  ['hs_v2_date_entered_current_stage', 'Date entered current stage', 'datetime', 'date', 'dealstages'],
  ['hs_v2_time_in_current_stage', 'Time in current stage', 'datetime', 'date', 'dealstages'],
];

/** Properties every CRM read returns whether asked for or not. */
export const ALWAYS_RETURNED_DEAL_PROPERTIES = ['hs_object_id', 'createdate', 'hs_lastmodifieddate'] as const;
export const ALWAYS_RETURNED_TASK_PROPERTIES = [
  'hs_object_id',
  'hs_createdate',
  'hs_lastmodifieddate',
] as const;

/** What a deal read without `properties` returns (HubSpot's default set). */
export const DEFAULT_RETURNED_DEAL_PROPERTIES = [
  'amount',
  'closedate',
  'createdate',
  'dealname',
  'dealstage',
  'hs_lastmodifieddate',
  'hs_object_id',
  'pipeline',
] as const;

/** Task properties HubSpot knows (the ones an integration writes and reads). */
export const TASK_PROPERTIES = new Set([
  'hs_timestamp',
  'hs_task_subject',
  'hs_task_body',
  'hs_task_status',
  'hs_task_priority',
  'hs_task_type',
  'hubspot_owner_id',
  'hs_task_completion_date',
  'hs_task_reminders',
  'hs_queue_membership_ids',
  'hs_object_id',
  'hs_createdate',
  'hs_lastmodifieddate',
]);

/** Note properties HubSpot knows (a note on a record's timeline). */
export const NOTE_PROPERTIES = new Set([
  'hs_timestamp',
  'hs_note_body',
  'hubspot_owner_id',
  'hs_object_id',
  'hs_createdate',
  'hs_lastmodifieddate',
]);

export const TASK_STATUS_VALUES = ['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'DEFERRED'];
export const TASK_PRIORITY_VALUES = ['NONE', 'LOW', 'MEDIUM', 'HIGH'];
export const TASK_TYPE_VALUES = [
  'TODO',
  'CALL',
  'EMAIL',
  'LINKED_IN',
  'MEETING',
  'LINKED_IN_CONNECT',
  'LINKED_IN_MESSAGE',
];

/** Stage timing properties HubSpot keeps per stage of every deal pipeline. */
const STAGE_TIMING_PROPERTY = /^hs_v2_(date_entered|date_exited|cumulative_time_in|latest_time_in)_(.+)$/;

const SYSTEM_TIME = new Date('2024-01-01T00:00:00.000Z');

/** A dealstage change an API client made (not the seed, not the UI): what tests count moves by. */
export interface ApiStageUpdate {
  portalId: number;
  dealId: string;
  fromStage: string | null;
  toStage: string;
  at: Date;
}

export class LocalHubSpotState {
  readonly portals = new Map<number, FakePortal>();
  /** Every deal stage change written through the CRM API, oldest first; a write of the same stage is none. */
  readonly apiStageUpdates: ApiStageUpdate[] = [];
  /** HubSpot's OAuth server: apps installed in these portals get their tokens here. */
  readonly oauth = new LocalHubSpotOAuth();
  /** Ids are unique across portals and object types, like HubSpot's. */
  private lastId = 40_000_000_000;

  nextId(): string {
    this.lastId += 1 + Math.floor(Math.random() * 7);
    return String(this.lastId);
  }

  addPortal(input: AddPortalInput): FakePortal {
    if (this.portals.has(input.portalId)) throw new Error(`Portal ${input.portalId} already exists`);
    for (const other of this.portals.values()) {
      if (other.token === input.token) throw new Error('Each portal needs its own access token');
    }
    const portal: FakePortal = {
      portalId: input.portalId,
      token: input.token,
      timeZone: input.timeZone ?? 'US/Eastern',
      companyCurrency: input.companyCurrency ?? 'USD',
      uiDomain: input.uiDomain ?? 'app.hubspot.com',
      dataHostingLocation: input.dataHostingLocation ?? 'na1',
      accountType: input.accountType ?? 'STANDARD',
      dealPipelines: [],
      objects: {
        deals: new Map(),
        tasks: new Map(),
        contacts: new Map(),
        companies: new Map(),
        notes: new Map(),
        calls: new Map(),
        emails: new Map(),
        meetings: new Map(),
        line_items: new Map(),
        tickets: new Map(),
      },
      owners: [],
      users: [],
      dealProperties: new Map(),
      dealPropertyGroups: new Map(),
      associations: [],
    };
    this.portals.set(input.portalId, portal);
    return portal;
  }

  portal(portalId: number): FakePortal {
    const portal = this.portals.get(portalId);
    if (!portal) throw new Error(`No portal ${portalId} in the local HubSpot`);
    return portal;
  }

  /** The portal a Bearer token opens: a private app's static token, or an unexpired OAuth access token. */
  portalForToken(token: string): FakePortal | 'expired' | null {
    for (const portal of this.portals.values()) if (portal.token === token) return portal;
    const grant = this.oauth.accessTokenGrant(token);
    if (grant === 'expired') return 'expired';
    return grant ? (this.portals.get(grant.consent.portalId) ?? null) : null;
  }

  addPipeline(
    portalId: number,
    pipeline: Omit<FakePipeline, 'createdAt' | 'updatedAt'> & { createdAt?: Date },
  ): FakePipeline {
    const portal = this.portal(portalId);
    const created: FakePipeline = {
      ...pipeline,
      createdAt: pipeline.createdAt ?? SYSTEM_TIME,
      updatedAt: pipeline.createdAt ?? SYSTEM_TIME,
    };
    portal.dealPipelines = portal.dealPipelines.filter((p) => p.id !== created.id).concat(created);
    return created;
  }

  addOwner(portalId: number, owner: Omit<FakeOwner, 'archived' | 'createdAt' | 'updatedAt'>): FakeOwner {
    const created: FakeOwner = { ...owner, archived: false, createdAt: SYSTEM_TIME, updatedAt: SYSTEM_TIME };
    this.portal(portalId).owners.push(created);
    return created;
  }

  addUser(
    portalId: number,
    user: Omit<FakeUser, 'secondaryTeamIds'> & { secondaryTeamIds?: string[] },
  ): FakeUser {
    const created: FakeUser = { ...user, secondaryTeamIds: user.secondaryTeamIds ?? [] };
    this.portal(portalId).users.push(created);
    return created;
  }

  findStage(portalId: number, stageId: string): { pipeline: FakePipeline; stage: FakePipelineStage } | null {
    for (const pipeline of this.portal(portalId).dealPipelines) {
      const stage = pipeline.stages.find((s) => s.id === stageId);
      if (stage) return { pipeline, stage };
    }
    return null;
  }

  /**
   * Creates or updates a deal the way HubSpot's UI would: a changed `dealstage` goes through
   * moveDealToStage so the stage timing properties stay right.
   */
  upsertDeal(portalId: number, input: UpsertDealInput, at: Date = new Date()): FakeCrmObject {
    const portal = this.portal(portalId);
    const existing = input.id === undefined ? undefined : portal.objects.deals.get(input.id);
    const { dealstage, ...rest } = input.properties;
    let deal = existing;
    if (!deal) {
      const createdAt = input.createdAt ?? at;
      const id = input.id ?? this.nextId();
      deal = newObject(id, createdAt);
      writeProperty(deal, 'hs_object_id', id, createdAt, 'CRM_UI');
      writeProperty(deal, 'createdate', createdAt.toISOString(), createdAt, 'CRM_UI');
      writeProperty(deal, 'pipeline', 'default', createdAt, 'CRM_UI');
      portal.objects.deals.set(id, deal);
    }
    for (const [name, value] of Object.entries(rest)) {
      if (value === undefined) continue;
      writeProperty(deal, name, value === null ? null : String(value), at, 'CRM_UI');
    }
    if (dealstage !== undefined && dealstage !== null && String(dealstage) !== deal.properties.dealstage) {
      const enteredAt = existing ? at : (input.createdAt ?? at);
      this.moveDealToStage(portalId, deal.id, String(dealstage), enteredAt);
    }
    touch(deal, at);
    return deal;
  }

  /**
   * Moves a deal to a stage at a given time, maintaining what HubSpot maintains: dealstage,
   * hs_v2_date_entered_<stage>, hs_v2_date_exited_<previous>, hs_v2_latest_time_in_<previous> and
   * hs_v2_cumulative_time_in_<previous> (milliseconds), hs_v2_date_entered_current_stage,
   * hs_v2_time_in_current_stage (HubSpot stores the entry datetime there too), the stage's probability
   * and closed flags, and hs_lastmodifieddate.
   */
  moveDealToStage(portalId: number, dealId: string, stageId: string, at: Date): FakeCrmObject {
    const portal = this.portal(portalId);
    const deal = portal.objects.deals.get(dealId);
    if (!deal) throw new Error(`No deal ${dealId} in portal ${portalId}`);
    const found = this.findStage(portalId, stageId);
    if (!found) throw new Error(`No deal stage ${stageId} in portal ${portalId}`);
    const iso = at.toISOString();
    const previous = deal.properties.dealstage ?? null;
    if (previous === stageId) return deal;
    if (previous) {
      const enteredPrevious = deal.properties.hs_v2_date_entered_current_stage;
      writeProperty(deal, `hs_v2_date_exited_${previous}`, iso, at, 'CALCULATED');
      if (enteredPrevious) {
        const spentMs = Math.max(0, at.getTime() - Date.parse(enteredPrevious));
        const cumulative = Number(deal.properties[`hs_v2_cumulative_time_in_${previous}`] ?? '0') + spentMs;
        writeProperty(deal, `hs_v2_latest_time_in_${previous}`, String(spentMs), at, 'CALCULATED');
        writeProperty(deal, `hs_v2_cumulative_time_in_${previous}`, String(cumulative), at, 'CALCULATED');
      }
    }
    writeProperty(deal, 'dealstage', stageId, at, 'CRM_UI');
    writeProperty(deal, 'pipeline', found.pipeline.id, at, 'CRM_UI');
    writeProperty(deal, `hs_v2_date_entered_${stageId}`, iso, at, 'CALCULATED');
    writeProperty(deal, 'hs_v2_date_entered_current_stage', iso, at, 'CALCULATED');
    writeProperty(deal, 'hs_v2_time_in_current_stage', iso, at, 'CALCULATED');
    writeProperty(deal, 'hs_deal_stage_probability', String(found.stage.probability), at, 'CALCULATED');
    writeProperty(deal, 'hs_is_closed', String(found.stage.isClosed), at, 'CALCULATED');
    writeProperty(
      deal,
      'hs_is_closed_won',
      String(found.stage.isClosed && found.stage.probability >= 1),
      at,
      'CALCULATED',
    );
    touch(deal, at);
    return deal;
  }

  /**
   * Replaces the associations of one record to one object type (both directions, like HubSpot).
   * Associated records that do not exist yet are created as empty records so reads stay consistent.
   */
  setAssociations(
    portalId: number,
    from: { type: string; id: string },
    toTypeRaw: string,
    toIds: readonly string[],
  ): void {
    const portal = this.portal(portalId);
    const fromType = mustType(from.type);
    const toType = mustType(toTypeRaw);
    portal.associations = portal.associations.filter(
      (a) =>
        !(a.fromType === fromType && a.fromId === from.id && a.toType === toType) &&
        !(a.fromType === toType && a.toType === fromType && a.toId === from.id),
    );
    for (const toId of toIds) {
      if (!portal.objects[toType].has(toId)) portal.objects[toType].set(toId, newObject(toId, new Date()));
      this.associate(portalId, fromType, from.id, toType, toId);
    }
  }

  associate(
    portalId: number,
    fromType: CrmObjectType,
    fromId: string,
    toType: CrmObjectType,
    toId: string,
  ): void {
    const portal = this.portal(portalId);
    const exists = portal.associations.some(
      (a) => a.fromType === fromType && a.fromId === fromId && a.toType === toType && a.toId === toId,
    );
    if (exists) return;
    portal.associations.push(
      { fromType, fromId, toType, toId, typeId: ASSOCIATION_TYPE_IDS[`${fromType}->${toType}`] ?? 0 },
      {
        fromType: toType,
        fromId: toId,
        toType: fromType,
        toId: fromId,
        typeId: ASSOCIATION_TYPE_IDS[`${toType}->${fromType}`] ?? 0,
      },
    );
  }

  associatedIds(
    portalId: number,
    fromType: CrmObjectType,
    fromId: string,
    toType: CrmObjectType,
  ): FakeAssociation[] {
    return this.portal(portalId).associations.filter(
      (a) => a.fromType === fromType && a.fromId === fromId && a.toType === toType,
    );
  }

  /** Every task of the portal with the deals it is associated with: what tests assert reminders against. */
  listTasks(portalId: number): Array<FakeCrmObject & { dealIds: string[] }> {
    const portal = this.portal(portalId);
    return [...portal.objects.tasks.values()]
      .filter((task) => !task.archived)
      .map((task) => ({
        ...task,
        dealIds: this.associatedIds(portalId, 'tasks', task.id, 'deals').map((a) => a.toId),
      }));
  }

  getDeal(portalId: number, dealId: string): FakeCrmObject | undefined {
    return this.portal(portalId).objects.deals.get(dealId);
  }

  /** Built-in plus custom deal properties, as GET /crm/v3/properties/deals lists them. */
  dealPropertyDefinitions(portalId: number): FakeProperty[] {
    const portal = this.portal(portalId);
    const builtIn = DEFAULT_DEAL_PROPERTY_ROWS.map(([name, label, type, fieldType, groupName], index) =>
      builtInProperty(name, label, type, fieldType, groupName, index),
    );
    const stageTiming = portal.dealPipelines.flatMap((pipeline) =>
      pipeline.stages.flatMap((stage) => [
        builtInProperty(
          `hs_v2_date_entered_${stage.id}`,
          `Date entered "${stage.label} (${pipeline.label})"`,
          'datetime',
          'date',
          'dealstages',
          0,
        ),
        builtInProperty(
          `hs_v2_date_exited_${stage.id}`,
          `Date exited "${stage.label} (${pipeline.label})"`,
          'datetime',
          'date',
          'dealstages',
          0,
        ),
        builtInProperty(
          `hs_v2_latest_time_in_${stage.id}`,
          `Latest time in "${stage.label} (${pipeline.label})"`,
          'number',
          'number',
          'dealstages',
          0,
        ),
        builtInProperty(
          `hs_v2_cumulative_time_in_${stage.id}`,
          `Cumulative time in "${stage.label} (${pipeline.label})"`,
          'number',
          'number',
          'dealstages',
          0,
        ),
      ]),
    );
    return [...builtIn, ...stageTiming, ...portal.dealProperties.values()];
  }

  dealPropertyGroupDefinitions(portalId: number): FakePropertyGroup[] {
    const portal = this.portal(portalId);
    return [
      ...DEFAULT_DEAL_GROUPS.map((g) => ({ ...g, archived: false })),
      ...portal.dealPropertyGroups.values(),
    ];
  }

  isKnownDealProperty(portalId: number, name: string): boolean {
    if (DEFAULT_DEAL_PROPERTY_ROWS.some(([known]) => known === name)) return true;
    if (this.portal(portalId).dealProperties.has(name)) return true;
    const timing = STAGE_TIMING_PROPERTY.exec(name);
    return timing !== null && timing[2] !== undefined && this.findStage(portalId, timing[2]) !== null;
  }
}

function mustType(raw: string): CrmObjectType {
  const type = normalizeObjectType(raw);
  if (!type) throw new Error(`Unknown CRM object type ${raw}`);
  return type;
}

export function newObject(id: string, createdAt: Date): FakeCrmObject {
  return { id, properties: {}, history: {}, createdAt, updatedAt: createdAt, archived: false };
}

export function writeProperty(
  object: FakeCrmObject,
  name: string,
  value: string | null,
  at: Date,
  sourceType: string,
): void {
  object.properties[name] = value;
  const entries = object.history[name] ?? [];
  // HubSpot orders a property's history by time, newest first; tests may record a change back-dated
  // after a later one, so the entry goes where its time puts it (before older or same-time entries).
  const position = entries.findIndex((entry) => Date.parse(entry.timestamp) <= at.getTime());
  entries.splice(position < 0 ? entries.length : position, 0, {
    value: value ?? '',
    timestamp: at.toISOString(),
    sourceType,
  });
  object.history[name] = entries;
}

/** Every write moves hs_lastmodifieddate and updatedAt, as HubSpot does. */
export function touch(object: FakeCrmObject, at: Date): void {
  const latest = at.getTime() > object.updatedAt.getTime() ? at : object.updatedAt;
  object.updatedAt = latest;
  object.properties.hs_lastmodifieddate = latest.toISOString();
}

function builtInProperty(
  name: string,
  label: string,
  type: string,
  fieldType: string,
  groupName: string,
  displayOrder: number,
): FakeProperty {
  return {
    name,
    label,
    type,
    fieldType,
    groupName,
    description: '',
    options: [],
    displayOrder,
    hubspotDefined: true,
    calculated: name.startsWith('hs_v2_') || name === 'hs_object_id',
    hasUniqueValue: false,
    hidden: false,
    formField: false,
    createdAt: SYSTEM_TIME,
    updatedAt: SYSTEM_TIME,
  };
}
