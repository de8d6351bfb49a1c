import type { DealSnapshot } from '../../../src/domain/deal.types';
import type { InboxEventInput } from '../../../src/modules/intake';

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

/** A deal.propertyChange event for dealstage, shaped like HubSpot's (DESIGN.md §4). */
export function buildStageEvent(
  overrides: Partial<InboxEventInput> & { portalId: number; stageId?: string },
): InboxEventInput {
  const eventId = overrides.eventId ?? nextEventId++;
  const objectId = overrides.objectId ?? 123;
  const occurredAt = overrides.occurredAt ?? T0.getTime();
  const subscriptionId = overrides.subscriptionId ?? 12345;
  return {
    portalId: overrides.portalId,
    subscriptionId,
    eventId,
    objectId,
    occurredAt,
    subscriptionType: 'deal.propertyChange',
    payload: overrides.payload ?? {
      eventId,
      subscriptionId,
      portalId: overrides.portalId,
      appId: 54321,
      occurredAt,
      subscriptionType: 'deal.propertyChange',
      attemptNumber: 0,
      objectId,
      propertyName: 'dealstage',
      propertyValue: overrides.stageId ?? 'qualifiedtobuy',
      changeSource: 'CRM',
    },
  };
}
