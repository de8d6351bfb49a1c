import { MAX_EVENTS_PER_BATCH, parseWebhookBatch } from '../../webhooks/hubspot-event.schema';
import type { DealEvent, WebhookBatchParseResult } from '../../webhooks/hubspot-event.schema';
import {
  aContactCreation,
  aDealLifecycleEvent,
  aDealStageChange,
  aGenericObjectEvent,
} from './webhook-event.builders';

function expectOk(result: WebhookBatchParseResult): { events: DealEvent[]; ignored: number } {
  if (!result.ok) throw new Error(`expected a valid batch, got ${JSON.stringify(result.issues)}`);
  return result;
}

function expectIssues(result: WebhookBatchParseResult) {
  if (result.ok) throw new Error('expected the batch to be rejected');
  return result.issues;
}

describe('parsing a HubSpot webhook batch', () => {
  it('turns a deal stage change into a stage-change event with its dedupe key', () => {
    const { events, ignored } = expectOk(
      parseWebhookBatch([aDealStageChange({ eventId: 7, subscriptionId: 12345, objectId: 123 })]),
    );
    expect(ignored).toBe(0);
    expect(events).toEqual([
      {
        kind: 'stage-change',
        portalId: 62515,
        appId: 54321,
        subscriptionId: 12345,
        eventId: 7,
        objectId: '123',
        occurredAt: 1564113600000,
        propertyName: 'dealstage',
        propertyValue: 'qualifiedtobuy',
        changeSource: 'CRM',
        sourceId: 'userId:1',
        attemptNumber: 0,
        dedupeKey: '12345:7:123:1564113600000',
      },
    ]);
  });

  it('turns a change of another deal property into a property-change event', () => {
    const { events } = expectOk(
      parseWebhookBatch([aDealStageChange({ propertyName: 'amount', propertyValue: '5000' })]),
    );
    expect(events[0]).toMatchObject({
      kind: 'property-change',
      propertyName: 'amount',
      propertyValue: '5000',
    });
  });

  it('keeps a cleared property value as null', () => {
    const { events } = expectOk(
      parseWebhookBatch([aDealStageChange({ propertyName: 'amount', propertyValue: null })]),
    );
    expect(events[0]?.propertyValue).toBeNull();
  });

  it('reads deal creation and deletion events, with no property fields', () => {
    const { events } = expectOk(
      parseWebhookBatch([aDealLifecycleEvent('deal.creation'), aDealLifecycleEvent('deal.deletion')]),
    );
    expect(events.map((event) => event.kind)).toEqual(['creation', 'deletion']);
    expect(events[0]).toMatchObject({ propertyName: null, propertyValue: null, sourceId: null });
  });

  it('reads the generic object.* forms when the object type is deals (0-3)', () => {
    const { events, ignored } = expectOk(
      parseWebhookBatch([
        aGenericObjectEvent('object.propertyChange', '0-3'),
        aGenericObjectEvent('object.propertyChange', '0-3', { propertyName: 'amount', propertyValue: '1' }),
        aGenericObjectEvent('object.creation', '0-3'),
        aGenericObjectEvent('object.deletion', '0-3'),
      ]),
    );
    expect(ignored).toBe(0);
    expect(events.map((event) => event.kind)).toEqual([
      'stage-change',
      'property-change',
      'creation',
      'deletion',
    ]);
    expect(events[0]).toMatchObject({ objectId: '456', propertyValue: 'presentationscheduled' });
  });

  it('acknowledges and ignores object.* events for other object types', () => {
    const { events, ignored } = expectOk(
      parseWebhookBatch([
        aGenericObjectEvent('object.propertyChange', '0-1'),
        aGenericObjectEvent('object.creation', '2-12345'),
        aGenericObjectEvent('object.deletion', '0-2'),
        aDealStageChange(),
      ]),
    );
    expect(ignored).toBe(3);
    expect(events).toHaveLength(1);
  });

  it('acknowledges and ignores subscription types it does not act on', () => {
    const { events, ignored } = expectOk(
      parseWebhookBatch([
        aContactCreation(),
        aContactCreation({ subscriptionType: 'company.propertyChange', propertyName: 'name' }),
        aContactCreation({ subscriptionType: 'deal.associationChange' }),
        aContactCreation({ subscriptionType: 'object.merge', objectTypeId: '0-3' }),
      ]),
    );
    expect(events).toEqual([]);
    expect(ignored).toBe(4);
  });

  it('ignores subscription types named like built-in object properties', () => {
    const { ignored } = expectOk(
      parseWebhookBatch([
        aContactCreation({ subscriptionType: 'constructor' }),
        aContactCreation({ subscriptionType: '__proto__' }),
        aContactCreation({ subscriptionType: 'toString' }),
      ]),
    );
    expect(ignored).toBe(3);
  });

  it('accepts a numeric-string objectId and defaults a missing appId and attemptNumber', () => {
    const { events } = expectOk(
      parseWebhookBatch([aDealStageChange({ objectId: '9007', appId: undefined, attemptNumber: undefined })]),
    );
    expect(events[0]).toMatchObject({ objectId: '9007', appId: null, attemptNumber: 0 });
  });

  it('keeps the retry attempt number', () => {
    const { events } = expectOk(parseWebhookBatch([aDealStageChange({ attemptNumber: 3 })]));
    expect(events[0]?.attemptNumber).toBe(3);
  });

  it('tolerates fields HubSpot may add later', () => {
    const { events } = expectOk(
      parseWebhookBatch([aDealStageChange({ isSensitive: false, somethingNew: { a: 1 } })]),
    );
    expect(events).toHaveLength(1);
  });

  it('accepts batches beyond HubSpot’s 100 up to the lenient maximum, and no more', () => {
    const many = (count: number) => Array.from({ length: count }, () => aDealStageChange());
    expect(expectOk(parseWebhookBatch(many(MAX_EVENTS_PER_BATCH))).events).toHaveLength(MAX_EVENTS_PER_BATCH);
    expect(expectIssues(parseWebhookBatch(many(MAX_EVENTS_PER_BATCH + 1)))[0]?.path).toEqual([]);
  });
});

describe('rejecting a malformed batch', () => {
  it.each([
    ['an object', { eventId: 1 }],
    ['a string', 'events'],
    ['null', null],
    ['nothing', undefined],
  ])('rejects %s instead of an array, at the root', (_label, body) => {
    const issues = expectIssues(parseWebhookBatch(body));
    expect(issues).toEqual([{ path: [], message: 'Expected a JSON array of events' }]);
  });

  it('rejects an empty array', () => {
    expect(expectIssues(parseWebhookBatch([]))[0]).toMatchObject({ path: [] });
  });

  it.each(['eventId', 'subscriptionId', 'portalId', 'occurredAt', 'subscriptionType', 'objectId'])(
    'names the missing envelope field %s with the event’s index',
    (field) => {
      const issues = expectIssues(
        parseWebhookBatch([aDealStageChange(), aContactCreation({ [field]: undefined })]),
      );
      expect(issues.map((issue) => issue.path)).toEqual([[1, field]]);
    },
  );

  it('names each wrongly typed field by its path', () => {
    const issues = expectIssues(
      parseWebhookBatch([
        aDealStageChange({ portalId: '62515' }),
        aDealStageChange(),
        aDealStageChange({ occurredAt: '2019-07-26T04:00:00Z', objectId: 'deal-1' }),
      ]),
    );
    expect(issues.map((issue) => issue.path)).toEqual([
      [0, 'portalId'],
      [2, 'occurredAt'],
      [2, 'objectId'],
    ]);
    expect(issues[0]?.message).toMatch(/number/);
  });

  it('rejects an element that is not an object', () => {
    const issues = expectIssues(parseWebhookBatch([aDealStageChange(), 42]));
    expect(issues[0]?.path).toEqual([1]);
  });

  it('requires the property name on a deal property change', () => {
    const issues = expectIssues(parseWebhookBatch([aDealStageChange({ propertyName: undefined })]));
    expect(issues.map((issue) => issue.path)).toEqual([[0, 'propertyName']]);
  });

  it('requires objectTypeId on a generic object event, since without it a deal cannot be told apart', () => {
    const issues = expectIssues(
      parseWebhookBatch([aGenericObjectEvent('object.creation', '0-3', { objectTypeId: undefined })]),
    );
    expect(issues.map((issue) => issue.path)).toEqual([[0, 'objectTypeId']]);
  });

  it('rejects fractional and negative ids', () => {
    const issues = expectIssues(parseWebhookBatch([aDealStageChange({ eventId: 1.5, subscriptionId: -1 })]));
    expect(issues.map((issue) => issue.path)).toEqual([
      [0, 'eventId'],
      [0, 'subscriptionId'],
    ]);
  });
});
