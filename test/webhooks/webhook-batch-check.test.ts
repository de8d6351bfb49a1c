import {
  checkWebhookBatch,
  fastCheckBatch,
  parseWebhookBatch,
  type WebhookBatchCheck,
} from '../../webhooks/hubspot-event.schema';
import { createRandom, FUZZ_SEED, int, mutate, pick } from '../reliability/support/seeded-random';
import {
  aContactCreation,
  aDealLifecycleEvent,
  aDealStageChange,
  aGenericObjectEvent,
  type RawEvent,
} from './webhook-event.builders';

/** What zod decides about a batch, in the shape the intake's check answers with. */
function zodVerdict(json: unknown) {
  const parsed = parseWebhookBatch(json);
  return parsed.ok
    ? { ok: true, ignored: parsed.ignored, portalIds: parsed.events.map((event) => event.portalId) }
    : { ok: false };
}

/** A batch with refused elements is, for parseWebhookBatch, an invalid one. */
function verdictOf(check: WebhookBatchCheck) {
  return check.ok && check.refused.length === 0
    ? { ok: true, ignored: check.ignored, portalIds: check.dealEvents.map((event) => event.portalId) }
    : { ok: false };
}

/** What the intake gets from JSON.parse: no undefined, no -0 distinctions, no NaN. */
function asReceived(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

const TEMPLATES: Array<() => RawEvent> = [
  () => aDealStageChange(),
  () => aDealStageChange({ propertyName: 'amount', propertyValue: 1200, objectId: '77' }),
  () => aDealLifecycleEvent('deal.creation'),
  () => aDealLifecycleEvent('deal.deletion', { appId: null, attemptNumber: null }),
  () => aGenericObjectEvent('object.propertyChange', '0-3'),
  () => aGenericObjectEvent('object.creation', '0-3'),
  () => aGenericObjectEvent('object.deletion', '0-1'),
  () => aGenericObjectEvent('object.propertyChange', '2-12345'),
  () => aContactCreation(),
];

// Values at the edges of what the schemas allow, for every field of every form.
const EDGE_VALUES: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  2 ** 53 - 1,
  2 ** 53,
  1e21,
  '',
  '0',
  '12',
  '-12',
  '1.5',
  ' 12',
  '١٢',
  'x',
  true,
  {},
  [],
  '0-3',
  'deal.propertyChange',
  'object.creation',
];

describe('the intake’s compiled batch check', () => {
  it('takes the fast path for the batches HubSpot sends', () => {
    const batch = asReceived(TEMPLATES.map((template) => template()));
    expect(fastCheckBatch(batch)).toBeDefined();
    expect(verdictOf(checkWebhookBatch(batch))).toEqual(zodVerdict(batch));
  });

  it('agrees with zod on every field set to every edge value, in every form', () => {
    let fastAccepted = 0;
    for (const template of TEMPLATES) {
      const fields = Object.keys(template()).concat('objectTypeId', 'unknownField');
      for (const field of fields) {
        for (const value of EDGE_VALUES) {
          const event: RawEvent = { ...template(), [field]: value };
          if (value === undefined) delete event[field];
          const batch = asReceived([event]);
          const fast = fastCheckBatch(batch);
          if (fast) {
            fastAccepted += 1;
            expect({ field, value, verdict: verdictOf(fast) }).toEqual({
              field,
              value,
              verdict: zodVerdict(batch),
            });
          }
          expect({ field, value, verdict: verdictOf(checkWebhookBatch(batch)) }).toEqual({
            field,
            value,
            verdict: zodVerdict(batch),
          });
        }
      }
    }
    // The comparison above only means something if the fast path accepted a good share of the cases.
    expect(fastAccepted).toBeGreaterThan(200);
  });

  it(`agrees with zod on seeded random mutations of real batches (seed ${FUZZ_SEED})`, () => {
    const random = createRandom(FUZZ_SEED);
    let fastAccepted = 0;
    for (let round = 0; round < 5000; round += 1) {
      const batch = Array.from({ length: int(random, 1, 4) }, () => pick(random, TEMPLATES)());
      const json = asReceived(random() < 0.8 ? mutate(random, batch) : batch);
      const fast = fastCheckBatch(json);
      if (fast) {
        fastAccepted += 1;
        expect({ round, verdict: verdictOf(fast) }).toEqual({ round, verdict: zodVerdict(json) });
      }
      expect({ round, verdict: verdictOf(checkWebhookBatch(json)) }).toEqual({
        round,
        verdict: zodVerdict(json),
      });
    }
    expect(fastAccepted).toBeGreaterThan(500);
  });

  it('refuses a bad element alone, naming its issues exactly as parseWebhookBatch does', () => {
    const bad = aDealStageChange({ objectId: 'abc', portalId: 0 });
    const batch = asReceived([aDealStageChange(), bad]) as unknown[];
    const check = checkWebhookBatch(batch);
    const parsed = parseWebhookBatch(batch);
    expect(parsed.ok).toBe(false);
    if (!check.ok || parsed.ok) throw new Error('expected a checked batch and refused parse');
    expect(check.dealEvents).toHaveLength(1);
    expect(check.refused).toEqual([{ index: 1, element: batch[1], issues: parsed.issues }]);
  });

  it('fails only a body that is not a batch at all', () => {
    expect(checkWebhookBatch({ not: 'an array' }).ok).toBe(false);
    expect(checkWebhookBatch([]).ok).toBe(false);
  });
});
