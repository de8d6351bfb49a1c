import { DEFAULT_PLAYBOOK } from '../../src/domain/default-playbook';
import { parsePlaybook } from '../../src/domain/playbook.schema';
import { postSignedWebhook } from '../integration/support/integration-helpers';
import {
  SAMPLE_PORTAL_ID,
  stageChangeEvent,
  startTestService,
  type TestService,
} from '../support/service-harness';
import { signRequestV3 } from '../../webhooks/signature-v3';
import { TEST_CLIENT_SECRET, TEST_PUBLIC_BASE_URL } from '../support/service-harness';
import {
  FUZZ_SEED,
  createRandom,
  int,
  mutate,
  pick,
  randomJson,
  randomString,
} from './support/seeded-random';

/**
 * Hostile input at every edge, from a seeded PRNG with bounded counts: webhook bodies, playbook
 * documents and card requests. Whatever arrives, correctly signed, the answer is a 2xx or a 4xx in the
 * one error shape, never a 5xx, and the service is still healthy afterwards.
 */
const SOAK = process.env.SOAK === '1';

/** Percent-encodes the UTF-8 bytes (lone surrogates included, which encodeURIComponent refuses). */
const percentEncode = (text: string) =>
  [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
const WEBHOOK_CASES = SOAK ? 2_000 : 150;
const PLAYBOOK_CASES = SOAK ? 500 : 60;
const CARD_CASES = SOAK ? 1_000 : 120;
const PARSE_PLAYBOOK_CASES = SOAK ? 20_000 : 1_000;

describe(`fuzzing the edges (seed ${FUZZ_SEED})`, () => {
  let t: TestService;
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    t = await startTestService({ database: 'sqlite' });
  });
  afterAll(async () => {
    await t.stop();
  });

  function expectHandled(label: string, response: { status: number; body: any }, allowed: number[]) {
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    // The label makes a failure name its case: replay it with FUZZ_SEED.
    expect([label, allowed.includes(response.status)]).toEqual([label, true]);
    if (response.status >= 400) expect([label, typeof response.body?.error?.code]).toEqual([label, 'string']);
  }

  function hostileWebhookBody(random: () => number, index: number): string | Buffer {
    const valid = stageChangeEvent(t.sample.deals.readyQualified, 'presentationscheduled', t.clock.now());
    switch (index % 8) {
      case 0:
        return JSON.stringify(randomJson(random));
      case 1:
        return JSON.stringify([mutate(random, valid)]);
      case 2:
        return JSON.stringify(Array.from({ length: int(random, 1, 5) }, () => mutate(random, valid)));
      case 3: {
        // Huge arrays: up to 1 MB of tiny elements, or of events.
        const element = random() < 0.5 ? 0 : { subscriptionType: 'contact.creation' };
        return JSON.stringify(Array.from({ length: int(random, 1_000, 60_000) }, () => element));
      }
      case 4: {
        const depth = pick(random, [100, 5_000, 100_000, 400_000]);
        return '['.repeat(depth) + ']'.repeat(depth);
      }
      case 5: {
        // Invalid UTF-8 inside an otherwise plausible body.
        const text = JSON.stringify([valid]);
        const cut = int(random, 1, text.length - 1);
        return Buffer.concat([
          Buffer.from(text.slice(0, cut)),
          Buffer.from(pick(random, [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80]])),
          Buffer.from(text.slice(cut)),
        ]);
      }
      case 6:
        return randomString(random);
      default:
        return JSON.stringify([{ ...valid, [pick(random, Object.keys(valid))]: randomJson(random) }]);
    }
  }

  it('answers every hostile webhook body with a 2xx or 4xx, never a 5xx', async () => {
    const random = createRandom(FUZZ_SEED);
    for (let index = 0; index < WEBHOOK_CASES; index += 1) {
      const body = hostileWebhookBody(random, index);
      const response = await postSignedWebhook(t.url, body, { timestampMs: t.clock.now().getTime() });
      expectHandled(`webhook case ${index}`, response, [200, 400, 413]);
    }
    // What was stored (anything that happened to be valid) is processed without a crash.
    await t.drainInbox();
  });

  it('answers every hostile playbook document with a 2xx or 4xx, never a 5xx', async () => {
    const random = createRandom(FUZZ_SEED + 1);
    const manager = t.sample.owners.manager.userId;
    for (let index = 0; index < PLAYBOOK_CASES; index += 1) {
      const document =
        index % 3 === 0 ? randomJson(random) : mutate(random, mutate(random, DEFAULT_PLAYBOOK));
      const body = index % 2 === 0 ? document : { document };
      const response = await t.cardRequest('PUT', '/api/v1/playbook', { userId: manager, body });
      expectHandled(`playbook case ${index}`, response, [200, 400, 403, 409, 422]);
    }
    const current = await t.cardRequest('GET', '/api/v1/playbook');
    expect(current.status).toBe(200);
  });

  it('parsePlaybook answers every hostile document with errors or a playbook, never a throw', () => {
    const random = createRandom(FUZZ_SEED + 2);
    for (let index = 0; index < PARSE_PLAYBOOK_CASES; index += 1) {
      const document = index % 4 === 0 ? randomJson(random) : mutate(random, DEFAULT_PLAYBOOK);
      const result = parsePlaybook(document);
      if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
    }
  });

  it('answers every hostile card request with a 2xx or 4xx, never a 5xx', async () => {
    const random = createRandom(FUZZ_SEED + 3);
    const dealIds = [
      'abc',
      '-1',
      '0',
      '1.5',
      '1e3',
      '9'.repeat(25),
      '99999999999999999999',
      '%00',
      '%2e%2e',
      encodeURIComponent('😀'),
      encodeURIComponent("1' or '1'='1"),
      t.sample.deals.readyQualified,
    ];
    const queryValues = [
      '',
      '-5',
      'abc',
      '1e400',
      '9'.repeat(30),
      '0',
      String(SAMPLE_PORTAL_ID),
      '%ZZ',
      '101',
    ];
    const paths = ['guidance', 'actions/discovery-call', 'audit', 'snooze', 'actions/%00'];
    for (let index = 0; index < CARD_CASES; index += 1) {
      const dealId = pick(random, dealIds);
      const params = ['portalId', 'userId', 'userEmail', 'appId', 'portalId']
        .filter(() => random() < 0.8)
        .map(
          (name) =>
            `${name}=${random() < 0.7 ? pick(random, queryValues) : percentEncode(randomString(random))}`,
        );
      const method = pick(random, ['GET', 'POST', 'PUT'] as const);
      const pathAndQuery = `/api/v1/deals/${dealId}/${pick(random, paths)}?${params.join('&')}`;
      const body = method === 'GET' ? undefined : JSON.stringify(randomJson(random));
      const signed = signRequestV3({
        clientSecret: TEST_CLIENT_SECRET,
        method,
        uri: TEST_PUBLIC_BASE_URL + pathAndQuery,
        body: body ?? '',
        timestampMs: t.clock.now().getTime(),
      });
      const response = await fetch(t.url + pathAndQuery, {
        method,
        headers: { ...signed.headers, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body }),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Checked below: every 4xx must carry the JSON error shape.
      }
      expectHandled(
        `card case ${index}: ${method} ${pathAndQuery}`,
        { status: response.status, body: parsed },
        [200, 400, 401, 403, 404, 405, 409, 413, 422],
      );
    }
  });

  it('is still healthy and ready after all of it', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    const guidance = await t.cardRequest('GET', `/api/v1/deals/${t.sample.deals.readyQualified}/guidance`);
    expect(guidance.status).toBe(200);
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true);
  });
});
