import {
  ALWAYS_RETURNED_DEAL_PROPERTIES,
  ALWAYS_RETURNED_TASK_PROPERTIES,
  DEFAULT_RETURNED_DEAL_PROPERTIES,
  NOTE_PROPERTIES,
  TASK_PROPERTIES,
  type CrmObjectType,
  type FakeCrmObject,
  type LocalHubSpotState,
} from './local-hubspot.state';

/**
 * How HubSpot renders a CRM record in v3 responses: only the asked-for properties (null when known
 * but empty, absent when unknown) plus the ones it always returns, timestamps as ISO strings.
 */
export interface PublicObjectView {
  id: string;
  properties: Record<string, string | null>;
  propertiesWithHistory?: Record<string, Array<{ value: string; timestamp: string; sourceType: string }>>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  objectWriteTraceId?: string;
}

export function alwaysReturned(type: CrmObjectType): readonly string[] {
  return type === 'deals' ? ALWAYS_RETURNED_DEAL_PROPERTIES : ALWAYS_RETURNED_TASK_PROPERTIES;
}

export function defaultReturned(type: CrmObjectType): readonly string[] {
  return type === 'deals'
    ? DEFAULT_RETURNED_DEAL_PROPERTIES
    : type === 'tasks'
      ? [
          'hs_createdate',
          'hs_lastmodifieddate',
          'hs_object_id',
          'hs_task_subject',
          'hs_task_status',
          'hs_timestamp',
        ]
      : ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'];
}

export function isKnownProperty(
  state: LocalHubSpotState,
  portalId: number,
  type: CrmObjectType,
  name: string,
): boolean {
  if (type === 'deals') return state.isKnownDealProperty(portalId, name);
  if (type === 'tasks') return TASK_PROPERTIES.has(name);
  if (type === 'notes') return NOTE_PROPERTIES.has(name);
  return name === 'hs_object_id' || name === 'hs_createdate' || name === 'hs_lastmodifieddate';
}

export function renderObject(
  state: LocalHubSpotState,
  portalId: number,
  type: CrmObjectType,
  object: FakeCrmObject,
  requested: readonly string[] | null,
  withHistory: readonly string[] = [],
): PublicObjectView {
  const names = requested === null || requested.length === 0 ? defaultReturned(type) : requested;
  const properties: Record<string, string | null> = {};
  for (const name of [...names, ...alwaysReturned(type)]) {
    if (name in object.properties) properties[name] = object.properties[name] ?? null;
    else if (isKnownProperty(state, portalId, type, name)) properties[name] = null;
  }
  // Tasks and other activities expose their creation time as hs_createdate, not createdate.
  if (type !== 'deals' && 'hs_createdate' in properties)
    properties.hs_createdate = object.createdAt.toISOString();
  if ('hs_object_id' in properties) properties.hs_object_id = object.id;
  const view: PublicObjectView = {
    id: object.id,
    properties,
    createdAt: object.createdAt.toISOString(),
    updatedAt: object.updatedAt.toISOString(),
    archived: object.archived,
  };
  if (withHistory.length > 0) {
    view.propertiesWithHistory = Object.fromEntries(
      withHistory
        .filter((name) => name in object.history || isKnownProperty(state, portalId, type, name))
        .map((name) => [name, object.history[name] ?? []]),
    );
  }
  return view;
}

/** Query-string property lists come repeated (`properties=a&properties=b`) or comma-separated. */
export function propertyList(values: readonly string[]): string[] {
  return values
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
}
