/** Small builders for HubSpot webhook payloads, shaped like DESIGN.md §4's example event. */

export type RawEvent = Record<string, unknown>;

let nextEventId = 1;

export function aDealStageChange(overrides: RawEvent = {}): RawEvent {
  return {
    eventId: nextEventId++,
    subscriptionId: 12345,
    portalId: 62515,
    appId: 54321,
    occurredAt: 1564113600000,
    subscriptionType: 'deal.propertyChange',
    attemptNumber: 0,
    objectId: 123,
    propertyName: 'dealstage',
    propertyValue: 'qualifiedtobuy',
    changeSource: 'CRM',
    sourceId: 'userId:1',
    ...overrides,
  };
}

export function aDealLifecycleEvent(
  subscriptionType: 'deal.creation' | 'deal.deletion',
  overrides: RawEvent = {},
): RawEvent {
  return {
    eventId: nextEventId++,
    subscriptionId: 12346,
    portalId: 62515,
    appId: 54321,
    occurredAt: 1564113600000,
    subscriptionType,
    attemptNumber: 0,
    objectId: 123,
    changeSource: 'CRM',
    ...overrides,
  };
}

export function aGenericObjectEvent(
  subscriptionType: 'object.propertyChange' | 'object.creation' | 'object.deletion',
  objectTypeId: string,
  overrides: RawEvent = {},
): RawEvent {
  return {
    eventId: nextEventId++,
    subscriptionId: 22345,
    portalId: 62515,
    appId: 54321,
    occurredAt: 1564113600000,
    subscriptionType,
    objectTypeId,
    attemptNumber: 0,
    objectId: 456,
    ...(subscriptionType === 'object.propertyChange'
      ? { propertyName: 'dealstage', propertyValue: 'presentationscheduled' }
      : {}),
    changeSource: 'CRM',
    ...overrides,
  };
}

export function aContactCreation(overrides: RawEvent = {}): RawEvent {
  return {
    eventId: nextEventId++,
    subscriptionId: 32345,
    portalId: 62515,
    appId: 54321,
    occurredAt: 1564113600000,
    subscriptionType: 'contact.creation',
    attemptNumber: 0,
    objectId: 789,
    changeSource: 'CRM',
    ...overrides,
  };
}
