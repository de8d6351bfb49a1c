import type { DealSnapshot } from '../../../src/domain/deal.types';

let nextPortalId = 70_000;

/** Suites share one database per describe block: each test takes its own portal so tests never meet. */
export function takePortalId(): number {
  nextPortalId += 1;
  return nextPortalId;
}

export const T0 = new Date('2026-11-20T10:00:00.000Z');

export function minutesAfter(base: Date, minutes: number): Date {
  return new Date(base.getTime() + minutes * 60_000);
}

export function buildDealSnapshot(overrides: Partial<DealSnapshot> & { portalId: number }): DealSnapshot {
  return {
    dealId: '123',
    pipelineId: 'default',
    stageId: 'appointmentscheduled',
    stageEnteredAt: T0,
    ownerId: '501',
    properties: { amount: null, dealname: 'Acme renewal' },
    associations: { contacts: 1 },
    lastActivityAt: null,
    nextActivityAt: null,
    ...overrides,
  };
}

let nextEventId = 1;

/** A HubSpot webhook event as it arrives in a request body (DESIGN.md §4). */
export interface HubSpotStageEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: 'deal.propertyChange';
  attemptNumber: number;
  objectId: number;
  propertyName: 'dealstage';
  propertyValue: string;
  changeSource: string;
}

/** A deal.propertyChange event for dealstage, shaped like HubSpot's. */
export function buildStageEvent(
  overrides: Partial<Omit<HubSpotStageEvent, 'propertyValue'>> & { portalId: number; stageId?: string },
): HubSpotStageEvent {
  const { stageId, ...fields } = overrides;
  return {
    eventId: nextEventId++,
    subscriptionId: 12345,
    appId: 54321,
    occurredAt: T0.getTime(),
    subscriptionType: 'deal.propertyChange',
    attemptNumber: 0,
    objectId: 123,
    propertyName: 'dealstage',
    propertyValue: stageId ?? 'qualifiedtobuy',
    changeSource: 'CRM',
    ...fields,
  };
}
